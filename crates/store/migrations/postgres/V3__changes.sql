-- Several desks (#15 §2): every desk's console reloads today's list when another desk changes the record. A
-- statement that writes one of the tables the list (or the trainer's class view) reads sends a notice on
-- `uketsuke_changes`; the server delivers it when the transaction commits, and not at all if it rolls back.
-- Each desk LISTENs on a connection of its own. Nothing of the record is in the notice: only the table's name.
CREATE FUNCTION notify_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('uketsuke_changes', TG_TABLE_NAME);
    RETURN NULL;
END
$$;

CREATE TRIGGER visits_changed AFTER INSERT OR UPDATE OR DELETE ON visits
    FOR EACH STATEMENT EXECUTE FUNCTION notify_changes();
CREATE TRIGGER voided_receptions_changed AFTER INSERT OR UPDATE OR DELETE ON voided_receptions
    FOR EACH STATEMENT EXECUTE FUNCTION notify_changes();
CREATE TRIGGER refund_tasks_changed AFTER INSERT OR UPDATE OR DELETE ON refund_tasks
    FOR EACH STATEMENT EXECUTE FUNCTION notify_changes();
CREATE TRIGGER recheck_tasks_changed AFTER INSERT OR UPDATE OR DELETE ON recheck_tasks
    FOR EACH STATEMENT EXECUTE FUNCTION notify_changes();
CREATE TRIGGER patients_changed AFTER UPDATE ON patients
    FOR EACH STATEMENT EXECUTE FUNCTION notify_changes();
CREATE TRIGGER training_runs_changed AFTER INSERT OR UPDATE OR DELETE ON training_runs
    FOR EACH STATEMENT EXECUTE FUNCTION notify_changes();
