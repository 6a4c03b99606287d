"""Pages of the knowledge base (Art 22), one module per page group: ``entries`` (the intake
suggestion partial, the knowledge home, the entry page, create/edit, the review queue),
``feedback`` (corrections and questions) and ``public`` (the citizens' self-service search);
``common`` holds what the staff pages share. ``urls.py`` names the views through this
package."""

from hotline.knowledge.views.entries import (
    entry_action,
    entry_diff,
    entry_edit,
    entry_new,
    entry_page,
    home,
    preview,
    review_queue,
    suggest,
)
from hotline.knowledge.views.feedback import (
    entry_feedback,
    feedback_list,
    feedback_respond,
    topic_feedback,
)
from hotline.knowledge.views.public import (
    client_ip,
    public_entry,
    public_rate_limited,
    public_search,
    rate_limit_retry_after,
)

__all__ = [
    "client_ip",
    "entry_action",
    "entry_diff",
    "entry_edit",
    "entry_feedback",
    "entry_new",
    "entry_page",
    "feedback_list",
    "feedback_respond",
    "home",
    "preview",
    "public_entry",
    "public_rate_limited",
    "public_search",
    "rate_limit_retry_after",
    "review_queue",
    "suggest",
    "topic_feedback",
]
