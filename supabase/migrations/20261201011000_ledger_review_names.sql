-- Names for the coordinators' close-out and adjustment-review pages. The closures and the
-- requests hold user ids (closed_by, reopened_by, requested_by, decided_by), and the coordinators
-- who close and decide usually have no person of their own, so the app cannot name them from the
-- people it reads. These two views add the names (private.user_name, as period_statuses and
-- event_history do) and the snapshot's hash as hex text, under the caller's row-level security
-- on the underlying tables (security_invoker): coordinators read every closure, requesters,
-- leaders and coordinators the requests they read today, nobody anything more.

create view public.period_closure_versions with (security_invoker = true) as
select c.station_id, c.theme_month_id, c.version, c.closed_at, c.closed_by,
  private.user_name(c.closed_by) as closed_by_name,
  c.override_reason, c.unconfirmed, c.adjustment_request_id, c.adjusted, c.totals,
  (select count(*) from pg_catalog.jsonb_object_keys(c.events)) as event_count,
  pg_catalog.encode(c.content_hash, 'hex') as content_hash,
  c.reopened_at, c.reopened_by, private.user_name(c.reopened_by) as reopened_by_name, c.reopen_reason
from public.period_closures c;
comment on view public.period_closure_versions is
  'Snapshot versions of station x theme months with the names of who closed and reopened them and the hash in hex (coordinators).';
revoke all on public.period_closure_versions from anon;
revoke insert, update, delete, truncate on public.period_closure_versions from authenticated, service_role;
grant select on public.period_closure_versions to authenticated, service_role;

create view public.adjustment_request_reviews with (security_invoker = true) as
select a.id, a.event_id, a.team_id, a.requested_by, private.user_name(a.requested_by) as requested_by_name,
  a.requested_at, a.reason, a.base_revision, a.fields, a.from_station_id, a.from_theme_month_id,
  a.to_station_id, a.to_theme_month_id, a.status, a.decided_at, a.decided_by,
  private.user_name(a.decided_by) as decided_by_name, a.decision_reason, a.applied_revision
from public.adjustment_requests a;
comment on view public.adjustment_request_reviews is
  'Adjustment requests with the names of who asked and who decided, as their readers read the requests.';
revoke all on public.adjustment_request_reviews from anon;
revoke insert, update, delete, truncate on public.adjustment_request_reviews from authenticated, service_role;
grant select on public.adjustment_request_reviews to authenticated, service_role;

-- Functions in private run only where granted: some are security definer. (Default privileges
-- per schema cannot take away PUBLIC's execute right, so each migration revokes it.)
revoke execute on all functions in schema private from public;
