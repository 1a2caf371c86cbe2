"""Locust users for bench/bench_load.py: the four roles signed in as the demo users, each
opening one of its main pages every 5 seconds (constant pacing), in a mix weighted as
people use the service. Run by bench/bench_load.py; see docs/benchmarks.md."""

import datetime
import os
import re

from locust import HttpUser, constant_pacing, task

PASSWORD = os.environ.get("LOAD_PASSWORD", "fostering-demo")
TODAY = datetime.date.today()
FY = TODAY.year if TODAY.month >= 4 else TODAY.year - 1
THIS_FY = f"fy:{FY}-04"
LAST_MONTH = (TODAY.replace(day=1) - datetime.timedelta(days=1)).strftime("month:%Y-%m")


class SignedIn(HttpUser):
    abstract = True
    wait_time = constant_pacing(5)
    email = ""

    def on_start(self):
        page = self.client.get("/account/sign-in/", name="sign in (form)")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        response = self.client.post(
            "/account/sign-in/",
            {"username": self.email, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": self.host + "/account/sign-in/"},
            name="sign in",
            allow_redirects=False,
        )
        if response.status_code != 302:
            raise RuntimeError(f"{self.email} could not sign in: {response.status_code}")

    def page(self, url, name):
        with self.client.get(url, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")


class ProgrammeManager(SignedIn):
    weight = 2
    email = "pm@example.org"

    @task(2)
    def home(self):
        self.page("/", "pm: home")

    @task(3)
    def funnel_england(self):
        self.page(f"/pipeline/?scope=england&period={THIS_FY}", "pm: funnel, England, this FY")

    @task(1)
    def approvals(self):
        self.page("/timesheets/approvals/", "pm: approvals")

    @task(1)
    def returns(self):
        self.page("/pipeline/returns/", "pm: returns")

    @task(1)
    def reports(self):
        self.page("/reports/", "pm: reports")


class DfeReader(SignedIn):
    weight = 1
    email = "dfe@example.org"
    report = None

    def on_start(self):
        super().on_start()
        listing = self.client.get("/reports/?status=issued", name="dfe: reports")
        found = re.search(r'href="/reports/(\d+)/"', listing.text)
        self.report = found.group(1) if found else None

    @task(2)
    def home(self):
        self.page("/", "dfe: home")

    @task(3)
    def funnel_england(self):
        self.page(f"/pipeline/?scope=england&period={THIS_FY}", "dfe: funnel, England, this FY")

    @task(1)
    def funnel_month(self):
        self.page(f"/pipeline/?scope=england&period={LAST_MONTH}", "dfe: funnel, England, a month")

    @task(1)
    def report_pdf(self):
        if self.report:
            self.page(f"/reports/{self.report}/report.pdf", "dfe: issued report PDF")

    @task(1)
    def report_page(self):
        if self.report:
            self.page(f"/reports/{self.report}/", "dfe: issued report page")


class ClusterLead(SignedIn):
    weight = 3
    email = "lead.northeast@example.org"

    @task(2)
    def home(self):
        self.page("/", "lead: home")

    @task(3)
    def funnel(self):
        self.page("/pipeline/", "lead: funnel, own cluster")

    @task(1)
    def cohorts(self):
        self.page("/pipeline/cohorts/", "lead: cohorts")

    @task(1)
    def returns(self):
        self.page("/pipeline/returns/", "lead: returns")


class Consultant(SignedIn):
    weight = 3
    email = "consultant@example.org"

    @task(2)
    def home(self):
        self.page("/", "consultant: home")

    @task(3)
    def week(self):
        self.page("/timesheets/week/", "consultant: week")

    @task(1)
    def entries(self):
        self.page("/timesheets/entries/", "consultant: my entries")

    @task(1)
    def raid(self):
        self.page("/insights/raid/", "consultant: RAID log")
