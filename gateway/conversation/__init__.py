"""The citizen's SMS conversation: commands, threads, service notices, the unit's replies.

No Flask, no RQ: the webhook and the jobs call these with a session and `now`.
"""

from gateway.conversation.abuse import AbuseAnswer, webhook_answer
from gateway.conversation.actions import ActionError, close_case, send_reply
from gateway.conversation.handler import Reply, handle_command
from gateway.conversation.notices import match_notice, send_service_notice
from gateway.conversation.threads import ThreadDecision, join_thread, thread_decision

__all__ = [
    "AbuseAnswer",
    "ActionError",
    "Reply",
    "ThreadDecision",
    "close_case",
    "handle_command",
    "join_thread",
    "match_notice",
    "send_reply",
    "send_service_notice",
    "thread_decision",
    "webhook_answer",
]
