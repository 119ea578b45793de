-- The RMB table layout of mod-circulation-storage, created inside the tenant's schema
-- ({tenant}_mod_circulation_storage, first on search_path while migrations run).
-- Extensions unaccent and pg_trgm live in schema public (created by the tenant API beforehand).

CREATE OR REPLACE FUNCTION f_unaccent(text) RETURNS text AS $$
  SELECT public.unaccent('public.unaccent', $1)
$$ LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT;

-- Full-text helpers as RMB defines their behaviour ('simple' dictionary, '&' is not an operator).
CREATE OR REPLACE FUNCTION get_tsvector(text) RETURNS tsvector AS $$
  SELECT to_tsvector('simple', translate($1, '&', ','))
$$ LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT;

CREATE OR REPLACE FUNCTION tsquery_and(text) RETURNS tsquery AS $$
  SELECT to_tsquery('simple', string_agg(CASE WHEN length(v) = 0 OR v = '*' THEN ''
                                         WHEN right(v, 1) = '*' THEN '''' || left(v, -1) || ''':*'
                                         ELSE '''' || v || '''' END, '&'))
  FROM (SELECT regexp_split_to_table(translate($1, '&''', ',,'), ' +')) AS x(v)
$$ LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT;

CREATE OR REPLACE FUNCTION tsquery_or(text) RETURNS tsquery AS $$
  SELECT replace(tsquery_and($1)::text, '&', '|')::tsquery
$$ LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT;

CREATE OR REPLACE FUNCTION tsquery_phrase(text) RETURNS tsquery AS $$
  SELECT replace(tsquery_and($1)::text, '&', '<->')::tsquery
$$ LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT;

CREATE OR REPLACE FUNCTION concat_space_sql(VARIADIC text[]) RETURNS text AS $$
  SELECT array_to_string($1, ' ')
$$ LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT;

CREATE OR REPLACE FUNCTION normalize_digits(text) RETURNS text AS $$
  SELECT translate((regexp_match($1, '^([0-9 \t-]*(?:\*[ \t]*)?)(.*)'))[1], E' \t-', '')
         || (regexp_match($1, '^([0-9 \t-]*(?:\*[ \t]*)?)(.*)'))[2]
$$ LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT;

-- ISBNs of a request's instance identifiers (identifier type ISBN), digits normalised.
CREATE OR REPLACE FUNCTION normalize_isbns(jsonb) RETURNS text AS $$
  SELECT string_agg(normalize_digits(identifier->>'value'), ' ')
  FROM jsonb_array_elements($1) AS identifier
  WHERE identifier->>'identifierTypeId' = '8261054f-be78-422d-bd51-4ed9f33c3422'
$$ LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT;

-- RMB keeps jsonb.id equal to the id column.
CREATE OR REPLACE FUNCTION set_id_in_jsonb() RETURNS trigger AS $$
BEGIN
  NEW.jsonb = jsonb_set(NEW.jsonb, '{id}', to_jsonb(NEW.id));
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

-- Creation info is written once: columns filled on insert, jsonb creation fields restored on update.
CREATE OR REPLACE FUNCTION set_metadata_on_insert() RETURNS trigger AS $$
BEGIN
  IF NEW.jsonb->'metadata' IS NOT NULL AND NEW.jsonb->'metadata'->>'createdDate' IS NOT NULL THEN
    NEW.creation_date = (NEW.jsonb->'metadata'->>'createdDate')::timestamptz AT TIME ZONE 'UTC';
    NEW.created_by = NEW.jsonb->'metadata'->>'createdByUserId';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION set_metadata_on_update() RETURNS trigger AS $$
BEGIN
  NEW.creation_date = OLD.creation_date;
  NEW.created_by = OLD.created_by;
  IF OLD.jsonb->'metadata' IS NOT NULL AND NEW.jsonb->'metadata' IS NOT NULL THEN
    NEW.jsonb = jsonb_set(NEW.jsonb, '{metadata,createdDate}',
                          COALESCE(OLD.jsonb->'metadata'->'createdDate', NEW.jsonb->'metadata'->'createdDate'));
    IF OLD.jsonb->'metadata'->'createdByUserId' IS NOT NULL THEN
      NEW.jsonb = jsonb_set(NEW.jsonb, '{metadata,createdByUserId}', OLD.jsonb->'metadata'->'createdByUserId');
    ELSE
      NEW.jsonb = NEW.jsonb #- '{metadata,createdByUserId}';
    END IF;
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TABLE IF NOT EXISTS loan (
  id uuid PRIMARY KEY,
  jsonb jsonb NOT NULL,
  creation_date timestamp,
  created_by text
);
CREATE TRIGGER set_id_in_jsonb BEFORE INSERT OR UPDATE ON loan FOR EACH ROW EXECUTE FUNCTION set_id_in_jsonb();
CREATE TRIGGER set_loan_md_trigger BEFORE INSERT ON loan FOR EACH ROW EXECUTE FUNCTION set_metadata_on_insert();
CREATE TRIGGER set_loan_md_json_trigger BEFORE UPDATE ON loan FOR EACH ROW EXECUTE FUNCTION set_metadata_on_update();

CREATE TABLE IF NOT EXISTS cancellation_reason (
  id uuid PRIMARY KEY,
  jsonb jsonb NOT NULL,
  creation_date timestamp,
  created_by text
);
CREATE TRIGGER set_id_in_jsonb BEFORE INSERT OR UPDATE ON cancellation_reason FOR EACH ROW EXECUTE FUNCTION set_id_in_jsonb();
CREATE TRIGGER set_cancellation_reason_md_trigger BEFORE INSERT ON cancellation_reason FOR EACH ROW EXECUTE FUNCTION set_metadata_on_insert();
CREATE TRIGGER set_cancellation_reason_md_json_trigger BEFORE UPDATE ON cancellation_reason FOR EACH ROW EXECUTE FUNCTION set_metadata_on_update();

CREATE TABLE IF NOT EXISTS circulation_settings (
  id uuid PRIMARY KEY,
  jsonb jsonb NOT NULL,
  creation_date timestamp,
  created_by text
);
CREATE TRIGGER set_id_in_jsonb BEFORE INSERT OR UPDATE ON circulation_settings FOR EACH ROW EXECUTE FUNCTION set_id_in_jsonb();
CREATE TRIGGER set_circulation_settings_md_trigger BEFORE INSERT ON circulation_settings FOR EACH ROW EXECUTE FUNCTION set_metadata_on_insert();
CREATE TRIGGER set_circulation_settings_md_json_trigger BEFORE UPDATE ON circulation_settings FOR EACH ROW EXECUTE FUNCTION set_metadata_on_update();

CREATE TABLE IF NOT EXISTS request (
  id uuid PRIMARY KEY,
  jsonb jsonb NOT NULL,
  creation_date timestamp,
  created_by text,
  cancellationreasonid uuid
);
CREATE TRIGGER set_id_in_jsonb BEFORE INSERT OR UPDATE ON request FOR EACH ROW EXECUTE FUNCTION set_id_in_jsonb();
CREATE TRIGGER set_request_md_trigger BEFORE INSERT ON request FOR EACH ROW EXECUTE FUNCTION set_metadata_on_insert();
CREATE TRIGGER set_request_md_json_trigger BEFORE UPDATE ON request FOR EACH ROW EXECUTE FUNCTION set_metadata_on_update();

CREATE TABLE IF NOT EXISTS user_request_preference (
  id uuid PRIMARY KEY,
  jsonb jsonb NOT NULL,
  creation_date timestamp,
  created_by text
);
CREATE TRIGGER set_id_in_jsonb BEFORE INSERT OR UPDATE ON user_request_preference FOR EACH ROW EXECUTE FUNCTION set_id_in_jsonb();
CREATE TRIGGER set_user_request_preference_md_trigger BEFORE INSERT ON user_request_preference FOR EACH ROW EXECUTE FUNCTION set_metadata_on_insert();
CREATE TRIGGER set_user_request_preference_md_json_trigger BEFORE UPDATE ON user_request_preference FOR EACH ROW EXECUTE FUNCTION set_metadata_on_update();

CREATE TABLE IF NOT EXISTS loan_policy (
  id uuid PRIMARY KEY,
  jsonb jsonb NOT NULL,
  creation_date timestamp,
  created_by text
);
CREATE TRIGGER set_id_in_jsonb BEFORE INSERT OR UPDATE ON loan_policy FOR EACH ROW EXECUTE FUNCTION set_id_in_jsonb();
CREATE TRIGGER set_loan_policy_md_trigger BEFORE INSERT ON loan_policy FOR EACH ROW EXECUTE FUNCTION set_metadata_on_insert();
CREATE TRIGGER set_loan_policy_md_json_trigger BEFORE UPDATE ON loan_policy FOR EACH ROW EXECUTE FUNCTION set_metadata_on_update();

CREATE TABLE IF NOT EXISTS request_policy (
  id uuid PRIMARY KEY,
  jsonb jsonb NOT NULL,
  creation_date timestamp,
  created_by text
);
CREATE TRIGGER set_id_in_jsonb BEFORE INSERT OR UPDATE ON request_policy FOR EACH ROW EXECUTE FUNCTION set_id_in_jsonb();
CREATE TRIGGER set_request_policy_md_trigger BEFORE INSERT ON request_policy FOR EACH ROW EXECUTE FUNCTION set_metadata_on_insert();
CREATE TRIGGER set_request_policy_md_json_trigger BEFORE UPDATE ON request_policy FOR EACH ROW EXECUTE FUNCTION set_metadata_on_update();

CREATE TABLE IF NOT EXISTS circulation_rules (
  id uuid PRIMARY KEY,
  jsonb jsonb NOT NULL,
  creation_date timestamp,
  created_by text,
  lock boolean DEFAULT true UNIQUE CHECK(lock = true)
);
CREATE TRIGGER set_id_in_jsonb BEFORE INSERT OR UPDATE ON circulation_rules FOR EACH ROW EXECUTE FUNCTION set_id_in_jsonb();
CREATE TRIGGER set_circulation_rules_md_trigger BEFORE INSERT ON circulation_rules FOR EACH ROW EXECUTE FUNCTION set_metadata_on_insert();
CREATE TRIGGER set_circulation_rules_md_json_trigger BEFORE UPDATE ON circulation_rules FOR EACH ROW EXECUTE FUNCTION set_metadata_on_update();

CREATE TABLE IF NOT EXISTS staff_slips (
  id uuid PRIMARY KEY,
  jsonb jsonb NOT NULL,
  creation_date timestamp,
  created_by text
);
CREATE TRIGGER set_id_in_jsonb BEFORE INSERT OR UPDATE ON staff_slips FOR EACH ROW EXECUTE FUNCTION set_id_in_jsonb();
CREATE TRIGGER set_staff_slips_md_trigger BEFORE INSERT ON staff_slips FOR EACH ROW EXECUTE FUNCTION set_metadata_on_insert();
CREATE TRIGGER set_staff_slips_md_json_trigger BEFORE UPDATE ON staff_slips FOR EACH ROW EXECUTE FUNCTION set_metadata_on_update();

CREATE TABLE IF NOT EXISTS patron_notice_policy (
  id uuid PRIMARY KEY,
  jsonb jsonb NOT NULL,
  creation_date timestamp,
  created_by text
);
CREATE TRIGGER set_id_in_jsonb BEFORE INSERT OR UPDATE ON patron_notice_policy FOR EACH ROW EXECUTE FUNCTION set_id_in_jsonb();
CREATE TRIGGER set_patron_notice_policy_md_trigger BEFORE INSERT ON patron_notice_policy FOR EACH ROW EXECUTE FUNCTION set_metadata_on_insert();
CREATE TRIGGER set_patron_notice_policy_md_json_trigger BEFORE UPDATE ON patron_notice_policy FOR EACH ROW EXECUTE FUNCTION set_metadata_on_update();

CREATE TABLE IF NOT EXISTS scheduled_notice (
  id uuid PRIMARY KEY,
  jsonb jsonb NOT NULL,
  creation_date timestamp,
  created_by text
);
CREATE TRIGGER set_id_in_jsonb BEFORE INSERT OR UPDATE ON scheduled_notice FOR EACH ROW EXECUTE FUNCTION set_id_in_jsonb();
CREATE TRIGGER set_scheduled_notice_md_trigger BEFORE INSERT ON scheduled_notice FOR EACH ROW EXECUTE FUNCTION set_metadata_on_insert();
CREATE TRIGGER set_scheduled_notice_md_json_trigger BEFORE UPDATE ON scheduled_notice FOR EACH ROW EXECUTE FUNCTION set_metadata_on_update();

CREATE TABLE IF NOT EXISTS patron_action_session (
  id uuid PRIMARY KEY,
  jsonb jsonb NOT NULL,
  creation_date timestamp,
  created_by text
);
CREATE TRIGGER set_id_in_jsonb BEFORE INSERT OR UPDATE ON patron_action_session FOR EACH ROW EXECUTE FUNCTION set_id_in_jsonb();
CREATE TRIGGER set_patron_action_session_md_trigger BEFORE INSERT ON patron_action_session FOR EACH ROW EXECUTE FUNCTION set_metadata_on_insert();
CREATE TRIGGER set_patron_action_session_md_json_trigger BEFORE UPDATE ON patron_action_session FOR EACH ROW EXECUTE FUNCTION set_metadata_on_update();

CREATE TABLE IF NOT EXISTS check_in (
  id uuid PRIMARY KEY,
  jsonb jsonb NOT NULL,
  creation_date timestamp,
  created_by text
);
CREATE TRIGGER set_id_in_jsonb BEFORE INSERT OR UPDATE ON check_in FOR EACH ROW EXECUTE FUNCTION set_id_in_jsonb();
CREATE TRIGGER set_check_in_md_trigger BEFORE INSERT ON check_in FOR EACH ROW EXECUTE FUNCTION set_metadata_on_insert();
CREATE TRIGGER set_check_in_md_json_trigger BEFORE UPDATE ON check_in FOR EACH ROW EXECUTE FUNCTION set_metadata_on_update();

CREATE TABLE IF NOT EXISTS tlr_feature_toggle_job (
  id uuid PRIMARY KEY,
  jsonb jsonb NOT NULL,
  creation_date timestamp,
  created_by text
);
CREATE TRIGGER set_id_in_jsonb BEFORE INSERT OR UPDATE ON tlr_feature_toggle_job FOR EACH ROW EXECUTE FUNCTION set_id_in_jsonb();
CREATE TRIGGER set_tlr_feature_toggle_job_md_trigger BEFORE INSERT ON tlr_feature_toggle_job FOR EACH ROW EXECUTE FUNCTION set_metadata_on_insert();
CREATE TRIGGER set_tlr_feature_toggle_job_md_json_trigger BEFORE UPDATE ON tlr_feature_toggle_job FOR EACH ROW EXECUTE FUNCTION set_metadata_on_update();

CREATE TABLE IF NOT EXISTS actual_cost_record (
  id uuid PRIMARY KEY,
  jsonb jsonb NOT NULL,
  creation_date timestamp,
  created_by text
);
CREATE TRIGGER set_id_in_jsonb BEFORE INSERT OR UPDATE ON actual_cost_record FOR EACH ROW EXECUTE FUNCTION set_id_in_jsonb();
CREATE TRIGGER set_actual_cost_record_md_trigger BEFORE INSERT ON actual_cost_record FOR EACH ROW EXECUTE FUNCTION set_metadata_on_insert();
CREATE TRIGGER set_actual_cost_record_md_json_trigger BEFORE UPDATE ON actual_cost_record FOR EACH ROW EXECUTE FUNCTION set_metadata_on_update();

CREATE TABLE IF NOT EXISTS print_events (
  id uuid PRIMARY KEY,
  jsonb jsonb NOT NULL,
  creation_date timestamp,
  created_by text
);
CREATE TRIGGER set_id_in_jsonb BEFORE INSERT OR UPDATE ON print_events FOR EACH ROW EXECUTE FUNCTION set_id_in_jsonb();
CREATE TRIGGER set_print_events_md_trigger BEFORE INSERT ON print_events FOR EACH ROW EXECUTE FUNCTION set_metadata_on_insert();
CREATE TRIGGER set_print_events_md_json_trigger BEFORE UPDATE ON print_events FOR EACH ROW EXECUTE FUNCTION set_metadata_on_update();

CREATE TABLE IF NOT EXISTS fixed_due_date_schedule (
  id uuid PRIMARY KEY,
  jsonb jsonb NOT NULL
);
CREATE TRIGGER set_id_in_jsonb BEFORE INSERT OR UPDATE ON fixed_due_date_schedule FOR EACH ROW EXECUTE FUNCTION set_id_in_jsonb();

-- Foreign keys the RMB way: a uuid column per reference, filled from jsonb by a trigger.
ALTER TABLE loan_policy ADD COLUMN IF NOT EXISTS loanspolicy_fixedduedatescheduleid uuid
  CONSTRAINT loanspolicy_fixedduedatescheduleid_fixed_due_date_schedule_fkey REFERENCES fixed_due_date_schedule;
ALTER TABLE loan_policy ADD COLUMN IF NOT EXISTS renewalspolicy_alternatefixedduedatescheduleid uuid
  CONSTRAINT renewalspolicy_alternatefixedduedatescheduleid_fixed_due_date_schedule_fkey REFERENCES fixed_due_date_schedule;
CREATE INDEX IF NOT EXISTS loan_policy_loanspolicy_fixedduedatescheduleid_idx ON loan_policy (loanspolicy_fixedduedatescheduleid);
CREATE INDEX IF NOT EXISTS loan_policy_renewalspolicy_alternatefixedduedatescheduleid_idx ON loan_policy (renewalspolicy_alternatefixedduedatescheduleid);
CREATE OR REPLACE FUNCTION update_loan_policy_references() RETURNS trigger AS $$
BEGIN
  NEW.loanspolicy_fixedduedatescheduleid = (NEW.jsonb->'loansPolicy'->>'fixedDueDateScheduleId');
  NEW.renewalspolicy_alternatefixedduedatescheduleid = (NEW.jsonb->'renewalsPolicy'->>'alternateFixedDueDateScheduleId');
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER update_loan_policy_references BEFORE INSERT OR UPDATE ON loan_policy
  FOR EACH ROW EXECUTE FUNCTION update_loan_policy_references();

ALTER TABLE request ADD CONSTRAINT cancellationreasonid_cancellation_reason_fkey
  FOREIGN KEY (cancellationreasonid) REFERENCES cancellation_reason;
CREATE INDEX IF NOT EXISTS request_cancellationreasonid_idx ON request (cancellationreasonid);
CREATE OR REPLACE FUNCTION update_request_references() RETURNS trigger AS $$
BEGIN
  NEW.cancellationreasonid = (NEW.jsonb->>'cancellationReasonId');
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER update_request_references BEFORE INSERT OR UPDATE ON request
  FOR EACH ROW EXECUTE FUNCTION update_request_references();

-- requestUpdateTrigger: remember when an awaiting-pickup request was closed.
CREATE OR REPLACE FUNCTION request_update_trigger() RETURNS trigger AS $$
BEGIN
  IF OLD.jsonb->>'status' = 'Open - Awaiting pickup'
     AND NEW.jsonb->>'status' IN ('Closed - Pickup expired', 'Closed - Cancelled') THEN
    NEW.jsonb = jsonb_set(NEW.jsonb, '{awaitingPickupRequestClosedDate}',
                          to_jsonb(to_char(current_timestamp AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"+00:00"')));
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER request_update_trigger BEFORE UPDATE ON request
  FOR EACH ROW EXECUTE FUNCTION request_update_trigger();

-- Loan history: every change of a loan adds a row {id, loan, operation, createdDate} to audit_loan.
CREATE TABLE IF NOT EXISTS audit_loan (
  id uuid PRIMARY KEY,
  jsonb jsonb NOT NULL
);
CREATE OR REPLACE FUNCTION audit_loan_changes() RETURNS trigger AS $$
DECLARE
  loan jsonb;
  op text;
BEGIN
  IF TG_OP = 'DELETE' THEN
    loan = jsonb_set(OLD.jsonb, '{action}', '"deleted"', false);
    op = 'D';
  ELSE
    loan = NEW.jsonb;
    op = CASE WHEN TG_OP = 'INSERT' THEN 'I' ELSE 'U' END;
  END IF;
  INSERT INTO audit_loan (id, jsonb) SELECT new_id, jsonb_build_object(
      'id', new_id, 'loan', loan, 'operation', op, 'createdDate', current_timestamp::text)
    FROM (SELECT gen_random_uuid() AS new_id) AS g;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_loan AFTER INSERT OR UPDATE OR DELETE ON loan
  FOR EACH ROW EXECUTE FUNCTION audit_loan_changes();

-- Exactly one circulation rules row, with a stable id derived from the schema name.
INSERT INTO circulation_rules (id, jsonb)
  SELECT md5(current_schema() || '.circulation_rules.rulesAsText')::uuid,
         jsonb_build_object('rulesAsText', '')
  ON CONFLICT DO NOTHING;

-- Tenant API jobs (RMB's rmb_job).
CREATE TABLE IF NOT EXISTS rmb_job (
  id uuid PRIMARY KEY,
  jsonb jsonb NOT NULL
);

-- Staff slips seeded as mod-circulation-storage's scripts do.
INSERT INTO staff_slips (id, jsonb) VALUES
  ('8812bae1-2738-442c-bc20-fe4bb38a11f8', '{"name": "Pick slip", "active": true, "template": "<p></p>"}'),
  ('1ed55c5c-64d9-40eb-8b80-7438a262288b', '{"name": "Request delivery", "active": true, "template": "<p></p>"}'),
  ('6a6e72f0-69da-4b4c-8254-7154679e9d88', '{"name": "Hold", "active": true, "template": "<p></p>"}'),
  ('f838cdaf-555a-473f-abf1-f35ef6ab8ae1', '{"name": "Transit", "active": true, "template": "<p></p>"}'),
  ('e6e29ec1-1a76-4913-bbd3-65f4ffd94e03', '{"name": "Search slip (Hold requests)", "active": true, "template": "<p></p>"}'),
  ('e6e29ec1-1a76-4913-bbd3-65f4ffd94e04', '{"name": "Transit (mediated requests)", "active": true, "template": "<p></p>"}'),
  ('0b52bca7-db17-4e91-a740-7872ed6d7323', '{"name": "Due date receipt", "active": true, "template": "<p></p>"}')
  ON CONFLICT DO NOTHING;

-- check_out_lock is a plain table (no jsonb), as in FOLIO.
CREATE TABLE IF NOT EXISTS check_out_lock (
  id uuid PRIMARY KEY,
  user_id uuid UNIQUE NOT NULL,
  creation_date timestamp WITHOUT TIME ZONE DEFAULT CURRENT_TIMESTAMP
);

-- Indexes as mod-circulation-storage's schema.json generates them (names are lower-cased by PostgreSQL).
-- loan
CREATE INDEX IF NOT EXISTS loan_userid_idx ON loan (left(lower(f_unaccent(jsonb->>'userId')),600));
CREATE INDEX IF NOT EXISTS loan_itemid_idx ON loan (left(lower(f_unaccent(jsonb->>'itemId')),600));
CREATE INDEX IF NOT EXISTS loan_checkinservicepointid_idx ON loan (left(lower(jsonb->>'checkinServicePointId'),600));
CREATE INDEX IF NOT EXISTS loan_checkoutservicepointid_idx ON loan (left(lower(jsonb->>'checkoutServicePointId'),600));
CREATE INDEX IF NOT EXISTS loan_metadata_createdbyusername_idx ON loan (left(lower(f_unaccent(jsonb->'metadata'->>'createdByUsername')),600));
CREATE INDEX IF NOT EXISTS loan_duedate_idx ON loan (left(lower(jsonb->>'dueDate'),600));
CREATE INDEX IF NOT EXISTS loan_loandate_idx ON loan (left(lower(jsonb->>'loanDate'),600));
CREATE INDEX IF NOT EXISTS loan_status_name_idx ON loan (left(lower(f_unaccent(jsonb->'status'->>'name')),600));
CREATE INDEX IF NOT EXISTS loan_itemstatus_idx ON loan (left(lower(f_unaccent(jsonb->>'itemStatus')),600));
CREATE INDEX IF NOT EXISTS loan_agedtolostdelayedbilling_lostitemhasbeenbilled_idx ON loan (left(lower(jsonb->'agedToLostDelayedBilling'->>'lostItemHasBeenBilled'),600));
-- index_dateLostItemShouldBeBilled.sql in FOLIO re-creates this index with lower(f_unaccent(...)).
CREATE INDEX IF NOT EXISTS loan_datelostitemshouldbebilled_idx ON loan (lower(f_unaccent(jsonb->'agedToLostDelayedBilling'->>'dateLostItemShouldBeBilled')));
CREATE INDEX IF NOT EXISTS loan_action_idx ON loan (left(lower(f_unaccent(jsonb->>'action')),600));
CREATE UNIQUE INDEX IF NOT EXISTS loan_itemid_idx_unique ON loan (lower(f_unaccent(jsonb->>'itemId'))) WHERE lower(f_unaccent((jsonb->'status'->>'name'))) LIKE 'open';
CREATE INDEX IF NOT EXISTS loan_itemid_idx_like ON loan ((lower(f_unaccent(jsonb->>'itemId'))) text_pattern_ops);
CREATE INDEX IF NOT EXISTS loan_status_name_idx_gin ON loan USING GIN ((lower(f_unaccent(jsonb->'status'->>'name'))) public.gin_trgm_ops);
-- cancellation_reason
CREATE UNIQUE INDEX IF NOT EXISTS cancellation_reason_name_idx_unique ON cancellation_reason (lower(f_unaccent(jsonb->>'name'))) ;
-- circulation_settings
CREATE UNIQUE INDEX IF NOT EXISTS circulation_settings_name_idx_unique ON circulation_settings (lower(f_unaccent(jsonb->>'name'))) ;
-- request
CREATE INDEX IF NOT EXISTS request_itemid_idx ON request (left(lower(f_unaccent(jsonb->>'itemId')),600));
CREATE INDEX IF NOT EXISTS request_itemideq_idx ON request ((jsonb->>'itemId'));
CREATE INDEX IF NOT EXISTS request_pickupservicepointid_idx ON request (left(lower(jsonb->>'pickupServicePointId'),600));
CREATE INDEX IF NOT EXISTS request_requesterid_idx ON request (left(lower(jsonb->>'requesterId'),600));
CREATE INDEX IF NOT EXISTS request_requesttype_idx ON request (left(lower(jsonb->>'requestType'),600));
CREATE INDEX IF NOT EXISTS request_status_idx ON request (left(lower(jsonb->>'status'),600));
CREATE INDEX IF NOT EXISTS request_requestlevel_idx ON request (left(lower(jsonb->>'requestLevel'),600));
CREATE INDEX IF NOT EXISTS request_instanceid_idx ON request (left(lower(f_unaccent(jsonb->>'instanceId')),600));
CREATE INDEX IF NOT EXISTS request_searchindex_pickupservicepointname_idx ON request (left(lower(jsonb->'searchIndex'->>'pickupServicePointName'),600));
CREATE INDEX IF NOT EXISTS request_searchindex_shelvingorder_idx ON request (left(lower(jsonb->'searchIndex'->>'shelvingOrder'),600));
CREATE INDEX IF NOT EXISTS request_item_itemeffectivelocationid_idx ON request (left(lower(jsonb->'item'->>'itemEffectiveLocationId'),600));
CREATE INDEX IF NOT EXISTS request_item_itemeffectivelocationname_idx ON request (left(lower(jsonb->'item'->>'itemEffectiveLocationName'),600));
CREATE INDEX IF NOT EXISTS request_item_retrievalservicepointid_idx ON request (left(lower(jsonb->'item'->>'retrievalServicePointId'),600));
CREATE INDEX IF NOT EXISTS request_item_retrievalservicepointname_idx ON request (left(lower(jsonb->'item'->>'retrievalServicePointName'),600));
CREATE UNIQUE INDEX IF NOT EXISTS request_itemid_position_idx_unique ON request (lower(f_unaccent(jsonb->>'itemId')) , lower(f_unaccent(jsonb->>'position'))) ;
CREATE INDEX IF NOT EXISTS request_searchindex_callnumbercomponents_callnumber_idx_gin ON request USING GIN ((lower(jsonb->'searchIndex'->'callNumberComponents'->>'callNumber')) public.gin_trgm_ops);
CREATE INDEX IF NOT EXISTS request_fullcallnumberindex_idx_gin ON request USING GIN ((lower(concat_space_sql(request.jsonb->'searchIndex'->'callNumberComponents'->>'prefix' , request.jsonb->'searchIndex'->'callNumberComponents'->>'callNumber' , request.jsonb->'searchIndex'->'callNumberComponents'->>'suffix'))) public.gin_trgm_ops);
CREATE INDEX IF NOT EXISTS request_item_itemeffectivelocationid_idx_gin ON request USING GIN ((lower(jsonb->'item'->>'itemEffectiveLocationId')) public.gin_trgm_ops);
CREATE INDEX IF NOT EXISTS request_item_itemeffectivelocationname_idx_gin ON request USING GIN ((lower(jsonb->'item'->>'itemEffectiveLocationName')) public.gin_trgm_ops);
CREATE INDEX IF NOT EXISTS request_item_retrievalservicepointid_idx_gin ON request USING GIN ((lower(jsonb->'item'->>'retrievalServicePointId')) public.gin_trgm_ops);
CREATE INDEX IF NOT EXISTS request_item_retrievalservicepointname_idx_gin ON request USING GIN ((lower(jsonb->'item'->>'retrievalServicePointName')) public.gin_trgm_ops);
CREATE INDEX IF NOT EXISTS request_itemisbn_idx_ft ON request USING GIN ( get_tsvector(normalize_isbns(jsonb->'instance'->'identifiers')) );
-- user_request_preference
CREATE UNIQUE INDEX IF NOT EXISTS user_request_preference_userid_idx_unique ON user_request_preference (lower(f_unaccent(jsonb->>'userId'))) ;
-- fixed_due_date_schedule
CREATE UNIQUE INDEX IF NOT EXISTS fixed_due_date_schedule_name_idx_unique ON fixed_due_date_schedule (lower(f_unaccent(jsonb->>'name'))) ;
-- loan_policy
-- request_policy
CREATE UNIQUE INDEX IF NOT EXISTS request_policy_name_idx_unique ON request_policy (lower(f_unaccent(jsonb->>'name'))) ;
-- circulation_rules
-- staff_slips
CREATE UNIQUE INDEX IF NOT EXISTS staff_slips_name_idx_unique ON staff_slips (lower(f_unaccent(jsonb->>'name'))) ;
-- patron_notice_policy
CREATE UNIQUE INDEX IF NOT EXISTS patron_notice_policy_name_idx_unique ON patron_notice_policy (lower(f_unaccent(jsonb->>'name'))) ;
-- scheduled_notice
CREATE INDEX IF NOT EXISTS scheduled_notice_nextruntime_idx ON scheduled_notice (left(lower(jsonb->>'nextRunTime'),600));
CREATE INDEX IF NOT EXISTS scheduled_notice_noticeconfig_sendinrealtime_idx ON scheduled_notice (left(lower(jsonb->'noticeConfig'->>'sendInRealTime'),600));
CREATE INDEX IF NOT EXISTS scheduled_notice_triggeringevent_idx ON scheduled_notice (left(lower(jsonb->>'triggeringEvent'),600));
CREATE INDEX IF NOT EXISTS scheduled_notice_requestid_idx ON scheduled_notice (left(lower(jsonb->>'requestId'),600));
-- patron_action_session
CREATE INDEX IF NOT EXISTS patron_action_session_patronid_idx ON patron_action_session (left(lower(jsonb->>'patronId'),600));
-- check_in
-- tlr_feature_toggle_job
-- actual_cost_record
CREATE INDEX IF NOT EXISTS actual_cost_record_loan_id_idx ON actual_cost_record (left(lower(f_unaccent(jsonb->'loan'->>'id')),600));
CREATE INDEX IF NOT EXISTS actual_cost_record_losstype_idx ON actual_cost_record (left(lower(f_unaccent(jsonb->>'lossType')),600));
CREATE INDEX IF NOT EXISTS actual_cost_record_lossdate_idx ON actual_cost_record (left(lower(f_unaccent(jsonb->>'lossDate')),600));
CREATE INDEX IF NOT EXISTS actual_cost_record_instance_title_idx ON actual_cost_record (left(lower(f_unaccent(jsonb->'instance'->>'title')),600));
CREATE INDEX IF NOT EXISTS actual_cost_record_item_permanentlocation_idx ON actual_cost_record (left(lower(f_unaccent(jsonb->'item'->>'permanentLocation')),600));
CREATE INDEX IF NOT EXISTS actual_cost_record_feefine_type_idx ON actual_cost_record (left(lower(f_unaccent(jsonb->'feeFine'->>'type')),600));
CREATE INDEX IF NOT EXISTS actual_cost_record_feefine_owner_idx ON actual_cost_record (left(lower(f_unaccent(jsonb->'feeFine'->>'owner')),600));
CREATE INDEX IF NOT EXISTS actual_cost_record_status_idx ON actual_cost_record (left(lower(f_unaccent(jsonb->>'status')),600));
CREATE INDEX IF NOT EXISTS actual_cost_record_expirationdate_idx ON actual_cost_record (left(lower(jsonb->>'expirationDate'),600));
CREATE INDEX IF NOT EXISTS actual_cost_record_instance_title_idx_ft ON actual_cost_record USING GIN ( get_tsvector(f_unaccent(jsonb->'instance'->>'title')) );
CREATE INDEX IF NOT EXISTS actual_cost_record_user_firstname_idx_ft ON actual_cost_record USING GIN ( get_tsvector(f_unaccent(jsonb->'user'->>'firstName')) );
CREATE INDEX IF NOT EXISTS actual_cost_record_user_lastname_idx_ft ON actual_cost_record USING GIN ( get_tsvector(f_unaccent(jsonb->'user'->>'lastName')) );
-- audit_loan
CREATE INDEX IF NOT EXISTS audit_loan_loan_id_idx_like ON audit_loan ((lower(f_unaccent(jsonb->'loan'->>'id'))) text_pattern_ops);
CREATE INDEX IF NOT EXISTS audit_loan_loan_action_idx_like ON audit_loan ((lower(f_unaccent(jsonb->'loan'->>'action'))) text_pattern_ops);
-- print_events
CREATE INDEX IF NOT EXISTS print_events_requestid_idx ON print_events ((jsonb->>'requestId'));
