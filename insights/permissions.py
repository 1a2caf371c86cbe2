"""Who may see and change the RAID log, the shared-learning log and the learning programme.

Seeing is scoped by the selectors (``raid_for_user``, ``lessons_for_user``); these
predicates say who may change what they can see.
"""

import rules

from accounts.permissions import is_cluster_lead, is_delivery_partner

from .models import LessonStatus

# The RAID log is the delivery partner's: consultants and programme managers log, review,
# escalate and close items. Cluster leads and DfE read what is theirs to read.
can_manage_raid = is_delivery_partner


@rules.predicate
def is_author(user, lesson) -> bool:
    return lesson is not None and lesson.author_id == user.pk


@rules.predicate
def is_draft(user, lesson) -> bool:
    return lesson is not None and lesson.status == LessonStatus.DRAFT


# Anyone in the programme but DfE may write up a lesson; a cluster lead's names their
# own cluster as its source.
can_write_lessons = is_delivery_partner | is_cluster_lead
# The delivery partner changes any entry; an author their own draft until it is published.
can_edit_lesson = is_delivery_partner | (is_cluster_lead & is_author & is_draft)
# Publishing shares an entry with every cluster and DfE: the delivery partner's check.
can_publish_lessons = is_delivery_partner
# A cluster records that it adopted a practice: its lead (the form offers only their own
# cluster), or the delivery partner for any cluster.
can_record_adoption = is_delivery_partner | is_cluster_lead
# The learning programme is run by the delivery partner; everyone reads it (DfE reads
# everything escalated or published and changes nothing).
can_manage_events = is_delivery_partner
rules.add_perm("insights.manage_raid", can_manage_raid)
rules.add_perm("insights.write_lessons", can_write_lessons)
rules.add_perm("insights.change_lesson", can_edit_lesson)
rules.add_perm("insights.publish_lessons", can_publish_lessons)
rules.add_perm("insights.manage_events", can_manage_events)
