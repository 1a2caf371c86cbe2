"""Meeting actions linked to a RAID item or a milestone, for those items' own pages: one
include and one query, scoped to the reader."""

from django import template

from engagement.selectors.meetings import linked_actions

register = template.Library()


@register.inclusion_tag("engagement/meetings/_linked_actions.html", takes_context=True)
def linked_meeting_actions(context, raid_item=None, milestone=None):
    user = context["request"].user
    return {
        "user": user,
        "actions": linked_actions(raid_item=raid_item, milestone=milestone, user=user),
    }
