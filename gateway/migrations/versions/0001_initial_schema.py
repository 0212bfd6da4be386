"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-27 01:16:19.527639
"""

from alembic import op
import sqlalchemy as sa
import gateway.models.base


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('api_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('scope', sa.String(length=64), nullable=False),
    sa.Column('created_at', gateway.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', gateway.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_keys')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_api_keys_key_hash')),
    sa.UniqueConstraint('name', name=op.f('uq_api_keys_name'))
    )
    op.create_table('case_counters',
    sa.Column('prefix', sa.String(length=8), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('prefix', 'day', name=op.f('pk_case_counters'))
    )
    op.create_table('cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('citizen_number', sa.String(length=40), nullable=False),
    sa.Column('citizen_number_type', sa.String(length=16), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('created_at', gateway.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('department', sa.String(length=32), nullable=True),
    sa.Column('jurisdiction', sa.String(length=32), nullable=True),
    sa.Column('unit', sa.String(length=64), nullable=True),
    sa.Column('emergency', sa.Boolean(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=True),
    sa.Column('confidence', sa.Float(), nullable=True),
    sa.Column('reasons', sa.JSON(), nullable=True),
    sa.Column('place', sa.String(length=120), nullable=True),
    sa.Column('model_version', sa.String(length=64), nullable=True),
    sa.Column('route_source', sa.String(length=16), nullable=True),
    sa.Column('routed_at', gateway.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('assigned_to', sa.String(length=64), nullable=True),
    sa.Column('signed_at', gateway.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('first_reply_at', gateway.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', gateway.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('resolution', sa.Text(), nullable=True),
    sa.Column('sign_due', gateway.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reply_due', gateway.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('close_due', gateway.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('next_action_at', gateway.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('escalated_at', gateway.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('notice_flagged_at', gateway.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('holding_sent_at', gateway.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('extension_count', sa.Integer(), nullable=False),
    sa.Column('returned_seconds', sa.Integer(), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('rating_text', sa.String(length=32), nullable=True),
    sa.Column('rated_at', gateway.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases')),
    sa.UniqueConstraint('number', name=op.f('uq_cases_number'))
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_citizen_open', ['citizen_number', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_closed_at'), ['closed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_first_reply_at'), ['first_reply_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_next_action_at'), ['next_action_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_rated_at'), ['rated_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_signed_at'), ['signed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_status'), ['status'], unique=False)
        batch_op.create_index('ix_cases_status_closed_at', ['status', 'closed_at'], unique=False)
        batch_op.create_index('ix_cases_unit_status', ['unit', 'status'], unique=False)

    op.create_table('classifier_models',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.String(length=64), nullable=False),
    sa.Column('created_at', gateway.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('examples', sa.Integer(), nullable=False),
    sa.Column('metrics', sa.JSON(), nullable=True),
    sa.Column('payload', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_classifier_models')),
    sa.UniqueConstraint('version', name=op.f('uq_classifier_models_version'))
    )
    op.create_table('opt_outs',
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('opted_out_at', gateway.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('source', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('number', name=op.f('pk_opt_outs'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=64), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('unit', sa.String(length=64), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('created_at', gateway.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', gateway.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('disabled_at', gateway.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_unit'), ['unit'], unique=False)

    op.create_table('callback_tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('unit', sa.String(length=64), nullable=True),
    sa.Column('reason', sa.String(length=64), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', gateway.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('done_at', gateway.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('done_by', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_callback_tasks_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_callback_tasks'))
    )
    with op.batch_alter_table('callback_tasks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_callback_tasks_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_callback_tasks_unit'), ['unit'], unique=False)

    op.create_table('case_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=32), nullable=False),
    sa.Column('at', gateway.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_events_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_events'))
    )
    with op.batch_alter_table('case_events', schema=None) as batch_op:
        batch_op.create_index('ix_case_events_case_at', ['case_id', 'at'], unique=False)
        batch_op.create_index('ix_case_events_type_at', ['type', 'at'], unique=False)

    op.create_table('inbound_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('provider_id', sa.String(length=64), nullable=False),
    sa.Column('sender', sa.String(length=40), nullable=False),
    sa.Column('sender_type', sa.String(length=16), nullable=False),
    sa.Column('recipient', sa.String(length=40), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=True),
    sa.Column('received_at', gateway.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('processed_at', gateway.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_inbound_messages_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbound_messages')),
    sa.UniqueConstraint('channel', 'provider_id', name=op.f('uq_inbound_messages_channel_provider_id'))
    )
    with op.batch_alter_table('inbound_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inbound_messages_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inbound_messages_received_at'), ['received_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_inbound_messages_sender'), ['sender'], unique=False)
        batch_op.create_index('ix_inbound_unprocessed', ['processed_at', 'received_at'], unique=False)

    op.create_table('outbound_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('to_number', sa.String(length=40), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('purpose', sa.String(length=32), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('dedupe_key', sa.String(length=128), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('provider_sid', sa.String(length=64), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('error_code', sa.String(length=16), nullable=True),
    sa.Column('error_message', sa.Text(), nullable=True),
    sa.Column('segments', sa.Integer(), nullable=True),
    sa.Column('created_at', gateway.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('next_attempt_at', gateway.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sent_at', gateway.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', gateway.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_outbound_messages_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbound_messages')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_outbound_messages_dedupe_key')),
    sa.UniqueConstraint('provider_sid', name=op.f('uq_outbound_messages_provider_sid'))
    )
    with op.batch_alter_table('outbound_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbound_messages_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_outbound_state_next', ['state', 'next_attempt_at'], unique=False)

    # ### end Alembic commands ###


def downgrade() -> None:
    with op.batch_alter_table('outbound_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_outbound_state_next')
        batch_op.drop_index(batch_op.f('ix_outbound_messages_case_id'))

    op.drop_table('outbound_messages')
    with op.batch_alter_table('inbound_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_inbound_unprocessed')
        batch_op.drop_index(batch_op.f('ix_inbound_messages_sender'))
        batch_op.drop_index(batch_op.f('ix_inbound_messages_received_at'))
        batch_op.drop_index(batch_op.f('ix_inbound_messages_case_id'))

    op.drop_table('inbound_messages')
    with op.batch_alter_table('case_events', schema=None) as batch_op:
        batch_op.drop_index('ix_case_events_type_at')
        batch_op.drop_index('ix_case_events_case_at')

    op.drop_table('case_events')
    with op.batch_alter_table('callback_tasks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_callback_tasks_unit'))
        batch_op.drop_index(batch_op.f('ix_callback_tasks_case_id'))

    op.drop_table('callback_tasks')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_unit'))

    op.drop_table('users')
    op.drop_table('opt_outs')
    op.drop_table('classifier_models')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_unit_status')
        batch_op.drop_index('ix_cases_status_closed_at')
        batch_op.drop_index(batch_op.f('ix_cases_status'))
        batch_op.drop_index(batch_op.f('ix_cases_signed_at'))
        batch_op.drop_index(batch_op.f('ix_cases_rated_at'))
        batch_op.drop_index(batch_op.f('ix_cases_next_action_at'))
        batch_op.drop_index(batch_op.f('ix_cases_first_reply_at'))
        batch_op.drop_index(batch_op.f('ix_cases_created_at'))
        batch_op.drop_index(batch_op.f('ix_cases_closed_at'))
        batch_op.drop_index('ix_cases_citizen_open')

    op.drop_table('cases')
    op.drop_table('case_counters')
    op.drop_table('api_keys')
    # ### end Alembic commands ###
