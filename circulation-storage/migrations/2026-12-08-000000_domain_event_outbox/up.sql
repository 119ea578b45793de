-- The transactional outbox of this module's domain events (beyond FOLIO, whose module publishes
-- after the commit and loses what a broker outage drops). A trigger writes one row per change of
-- a record whose topic FOLIO publishes, in the transaction of the change: a rolled-back change
-- leaves no event. The relay publishes the rows in id order and deletes them once the broker
-- acknowledged them. Rows are written only by a module with Kafka configured (it sets
-- circulation.outbox on its connections).

CREATE TABLE IF NOT EXISTS domain_event_outbox (
  id bigserial PRIMARY KEY,
  -- FOLIO's topic, without the {ENV}.{tenant}.circulation. prefix: loan, request, check-in,
  -- circulation-settings, rules, request-queue-reordering.
  topic text NOT NULL,
  -- The Kafka key: the record's id (the nil UUID for ALL_DELETED).
  event_key text NOT NULL,
  -- CREATED, UPDATED, DELETED or ALL_DELETED.
  event_type text NOT NULL,
  old_record jsonb,
  new_record jsonb,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- Row changes: TG_ARGV[0] is the topic. The functions keep the search_path they were created
-- with (the tenant's schema), whatever the writing session's is.
CREATE OR REPLACE FUNCTION outbox_record_change() RETURNS trigger AS $$
BEGIN
  IF coalesce(current_setting('circulation.outbox', true), '') <> 'on' THEN
    RETURN NULL;
  END IF;
  INSERT INTO domain_event_outbox (topic, event_key, event_type, old_record, new_record)
  VALUES (
    TG_ARGV[0],
    CASE TG_OP WHEN 'DELETE' THEN OLD.id ELSE NEW.id END::text,
    CASE TG_OP WHEN 'INSERT' THEN 'CREATED' WHEN 'UPDATE' THEN 'UPDATED' ELSE 'DELETED' END,
    CASE TG_OP WHEN 'INSERT' THEN NULL ELSE OLD.jsonb END,
    CASE TG_OP WHEN 'DELETE' THEN NULL ELSE NEW.jsonb END);
  RETURN NULL;
END;
$$ LANGUAGE plpgsql SET search_path FROM CURRENT;

-- A table emptied at once (TRUNCATE): one ALL_DELETED event.
CREATE OR REPLACE FUNCTION outbox_all_deleted() RETURNS trigger AS $$
BEGIN
  IF coalesce(current_setting('circulation.outbox', true), '') <> 'on' THEN
    RETURN NULL;
  END IF;
  INSERT INTO domain_event_outbox (topic, event_key, event_type)
  VALUES (TG_ARGV[0], '00000000-0000-0000-0000-000000000000', 'ALL_DELETED');
  RETURN NULL;
END;
$$ LANGUAGE plpgsql SET search_path FROM CURRENT;

CREATE TRIGGER outbox_loan AFTER INSERT OR UPDATE OR DELETE ON loan
  FOR EACH ROW EXECUTE FUNCTION outbox_record_change('loan');
CREATE TRIGGER outbox_loan_all AFTER TRUNCATE ON loan
  FOR EACH STATEMENT EXECUTE FUNCTION outbox_all_deleted('loan');
CREATE TRIGGER outbox_request AFTER INSERT OR UPDATE OR DELETE ON request
  FOR EACH ROW EXECUTE FUNCTION outbox_record_change('request');
CREATE TRIGGER outbox_request_all AFTER TRUNCATE ON request
  FOR EACH STATEMENT EXECUTE FUNCTION outbox_all_deleted('request');
CREATE TRIGGER outbox_check_in AFTER INSERT OR UPDATE OR DELETE ON check_in
  FOR EACH ROW EXECUTE FUNCTION outbox_record_change('check-in');
CREATE TRIGGER outbox_check_in_all AFTER TRUNCATE ON check_in
  FOR EACH STATEMENT EXECUTE FUNCTION outbox_all_deleted('check-in');
CREATE TRIGGER outbox_circulation_settings AFTER INSERT OR UPDATE OR DELETE ON circulation_settings
  FOR EACH ROW EXECUTE FUNCTION outbox_record_change('circulation-settings');
CREATE TRIGGER outbox_circulation_settings_all AFTER TRUNCATE ON circulation_settings
  FOR EACH STATEMENT EXECUTE FUNCTION outbox_all_deleted('circulation-settings');
CREATE TRIGGER outbox_circulation_rules AFTER INSERT OR UPDATE OR DELETE ON circulation_rules
  FOR EACH ROW EXECUTE FUNCTION outbox_record_change('rules');
