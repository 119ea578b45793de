//! Fast bulk data for tests and benchmarks: rows generated inside PostgreSQL by
//! `INSERT ... SELECT generate_series` in a tenant's schema (the module's triggers still run).
use crate::pg::TempPostgres;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

/// A direct connection whose search_path is the tenant's schema (the module must have
/// enabled the tenant already).
pub fn connect_tenant(pg: &TempPostgres, tenant: &str) -> PgConnection {
    let mut conn = PgConnection::establish(&pg.url()).expect("connect to PostgreSQL");
    diesel::sql_query(format!(
        "SET search_path TO \"{tenant}_mod_circulation_storage\", public"
    ))
    .execute(&mut conn)
    .expect("set search_path");
    conn
}

/// The user id number `n` of the bulk data (a valid version-4 UUID).
pub fn user_id(n: i64) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

/// The item id number `n` of the bulk data.
pub fn item_id(n: i64) -> String {
    format!("10000000-0000-4000-8000-{n:012}")
}

/// The instance id number `n` of the bulk data.
pub fn instance_id(n: i64) -> String {
    format!("20000000-0000-4000-8000-{n:012}")
}

/// `count` loans: loan g belongs to user `g % users` and item g; every third one is closed.
pub fn insert_loans(conn: &mut PgConnection, count: i64, users: i64) -> QueryResult<usize> {
    diesel::sql_query(
        "INSERT INTO loan (id, jsonb) SELECT u, jsonb_build_object(
             'id', u::text,
             'userId', '00000000-0000-4000-8000-' || lpad((g % $2)::text, 12, '0'),
             'itemId', '10000000-0000-4000-8000-' || lpad(g::text, 12, '0'),
             'status', jsonb_build_object('name', CASE WHEN g % 3 = 0 THEN 'Closed' ELSE 'Open' END),
             'action', CASE WHEN g % 3 = 0 THEN 'checkedin' ELSE 'checkedout' END,
             'loanDate', to_char(timestamp '2024-01-01' + g * interval '1 minute', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),
             'dueDate', to_char(timestamp '2024-02-01' + g * interval '1 minute', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"+00:00\"'),
             'renewalCount', g % 5)
         FROM (SELECT gen_random_uuid() AS u, g FROM generate_series(1, $1) g) s",
    )
    .bind::<BigInt, _>(count)
    .bind::<BigInt, _>(users)
    .execute(conn)
}

/// `count` requests: request g is for item `g % items` (instance `g % items % 100`) at
/// queue position `g / items + 1`; every fourth one is closed.
pub fn insert_requests(conn: &mut PgConnection, count: i64, items: i64) -> QueryResult<usize> {
    diesel::sql_query(
        "INSERT INTO request (id, jsonb) SELECT u, jsonb_build_object(
             'id', u::text,
             'requestLevel', 'Item',
             'requestType', 'Hold',
             'requestDate', '2024-01-01T00:00:00Z',
             'requesterId', '00000000-0000-4000-8000-' || lpad((g % 997)::text, 12, '0'),
             'itemId', '10000000-0000-4000-8000-' || lpad((g % $2)::text, 12, '0'),
             'instanceId', '20000000-0000-4000-8000-' || lpad((g % $2 % 100)::text, 12, '0'),
             'holdingsRecordId', '30000000-0000-4000-8000-000000000001',
             'fulfillmentPreference', 'Hold Shelf',
             'status', CASE WHEN g % 4 = 0 THEN 'Closed - Filled' ELSE 'Open - Not yet filled' END,
             'position', g / $2 + 1)
         FROM (SELECT gen_random_uuid() AS u, g FROM generate_series(1, $1) g) s",
    )
    .bind::<BigInt, _>(count)
    .bind::<BigInt, _>(items)
    .execute(conn)
}

/// Up-to-date planner statistics.
pub fn analyze(conn: &mut PgConnection, table: &str) -> QueryResult<usize> {
    assert!(table.chars().all(|c| c.is_ascii_lowercase() || c == '_'));
    diesel::sql_query(format!("ANALYZE {table}")).execute(conn)
}

#[derive(QueryableByName)]
struct PlanRow {
    #[diesel(sql_type = Text)]
    #[diesel(column_name = "QUERY PLAN")]
    plan: String,
}

/// `EXPLAIN (FORMAT JSON)` of `sql` with text parameters `params` ($1, $2, ...), as the module
/// runs it (unnamed prepared statement, so the plan sees the values).
pub fn explain(conn: &mut PgConnection, sql: &str, params: &[String]) -> serde_json::Value {
    let mut query = diesel::sql_query(format!("EXPLAIN (FORMAT JSON) {sql}")).into_boxed();
    for p in params {
        query = query.bind::<Text, _>(p.clone());
    }
    let rows: Vec<PlanRow> = query
        .load(conn)
        .unwrap_or_else(|e| panic!("EXPLAIN {sql}: {e}"));
    serde_json::from_str(&rows[0].plan).expect("EXPLAIN JSON")
}

#[derive(QueryableByName)]
struct PlanCounts {
    #[diesel(sql_type = BigInt)]
    generic_plans: i64,
    #[diesel(sql_type = BigInt)]
    custom_plans: i64,
}

/// How a prepared statement is planned once PostgreSQL may switch it to a generic plan:
/// `sql` (text parameters `params`, then bigint parameters `extra`) is prepared as `name`,
/// executed `executions` times, then explained as `EXPLAIN (FORMAT JSON) EXECUTE`, the plan the
/// next execution gets (PostgreSQL considers a generic plan from the sixth execution on, see
/// PREPARE). Returns that plan and `(generic_plans, custom_plans)` from `pg_prepared_statements`.
/// SQL-level PREPARE goes through the same plan cache as the module's protocol-level prepared
/// statements, with the same parameter types.
pub fn explain_prepared(
    conn: &mut PgConnection,
    name: &str,
    sql: &str,
    params: &[String],
    extra: &[i64],
    executions: usize,
) -> (serde_json::Value, (i64, i64)) {
    assert!(name.chars().all(|c| c.is_ascii_lowercase() || c == '_'));
    let types: Vec<&str> = params
        .iter()
        .map(|_| "text")
        .chain(extra.iter().map(|_| "bigint"))
        .collect();
    let quote = |s: &str| format!("'{}'", s.replace('\'', "''"));
    let args: Vec<String> = params
        .iter()
        .map(|p| quote(p))
        .chain(extra.iter().map(|n| n.to_string()))
        .collect();
    let args = if args.is_empty() {
        String::new()
    } else {
        format!("({})", args.join(", "))
    };
    let types = if types.is_empty() {
        String::new()
    } else {
        format!("({})", types.join(", "))
    };
    diesel::sql_query(format!("PREPARE {name}{types} AS {sql}"))
        .execute(conn)
        .unwrap_or_else(|e| panic!("PREPARE {sql}: {e}"));
    for _ in 0..executions {
        diesel::sql_query(format!("EXECUTE {name}{args}"))
            .execute(conn)
            .unwrap_or_else(|e| panic!("EXECUTE {sql}: {e}"));
    }
    let rows: Vec<PlanRow> =
        diesel::sql_query(format!("EXPLAIN (FORMAT JSON) EXECUTE {name}{args}"))
            .load(conn)
            .unwrap_or_else(|e| panic!("EXPLAIN EXECUTE {sql}: {e}"));
    let counts: PlanCounts = diesel::sql_query(
        "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = $1",
    )
    .bind::<Text, _>(name)
    .get_result(conn)
    .expect("pg_prepared_statements");
    diesel::sql_query(format!("DEALLOCATE {name}"))
        .execute(conn)
        .expect("DEALLOCATE");
    (
        serde_json::from_str(&rows[0].plan).expect("EXPLAIN JSON"),
        (counts.generic_plans, counts.custom_plans),
    )
}
