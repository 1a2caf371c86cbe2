from core.navigation import NavItem

from .permissions import can_see_pipeline

ITEMS = [NavItem("Pipeline", "pipeline:funnel", can_see_pipeline, "/pipeline/")]
