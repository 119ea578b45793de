//! Statements on the `request` table beyond the generic ones of [`super::store`]: closing
//! expired requests, and numbering request queues again.
use crate::error::StorageError;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Integer, Nullable, Text, Uuid as SqlUuid};
use std::collections::HashMap;
use uuid::Uuid;

/// The statuses of a request that is still in its queue.
pub(crate) const OPEN_STATUSES: [&str; 4] = [
    "Open - Not yet filled",
    "Open - Awaiting pickup",
    "Open - In transit",
    "Open - Awaiting delivery",
];

/// The property that names a request's queue.
pub(crate) fn queue_property(tlr_enabled: bool) -> &'static str {
    if tlr_enabled {
        "instanceId"
    } else {
        "itemId"
    }
}

#[derive(QueryableByName)]
struct ClosedRow {
    #[diesel(sql_type = Nullable<Text>)]
    queue: Option<String>,
}

/// Closes at most `limit` open requests whose date has passed `cutoff` (compared as text):
/// `Open - Awaiting pickup` by `holdShelfExpirationDate` → `Closed - Pickup expired`, the other
/// open statuses by `requestExpirationDate` → `Closed - Unfilled`. A closed request loses its
/// `position` and gets `updated_date` as `metadata.updatedDate`. Returns the queues (values of
/// `queue_property`) that lost a request, sorted, without repeats.
pub(crate) fn close_expired(
    conn: &mut PgConnection,
    cutoff: &str,
    updated_date: &str,
    queue_property: &str,
    limit: i64,
) -> Result<Vec<String>, StorageError> {
    let closed: Vec<ClosedRow> = diesel::sql_query(
        "UPDATE request SET jsonb = jsonb_set( \
           (request.jsonb - 'position') || jsonb_build_object('status', \
             CASE WHEN request.jsonb->>'status' = 'Open - Awaiting pickup' \
               THEN 'Closed - Pickup expired' ELSE 'Closed - Unfilled' END), \
           '{metadata,updatedDate}', to_jsonb($2::text)) \
         WHERE id IN (SELECT id FROM request WHERE \
           (jsonb->>'status' = 'Open - Not yet filled' AND jsonb->>'requestExpirationDate' < $1) OR \
           (jsonb->>'status' = 'Open - Awaiting delivery' AND jsonb->>'requestExpirationDate' < $1) OR \
           (jsonb->>'status' = 'Open - In transit' AND jsonb->>'requestExpirationDate' < $1) OR \
           (jsonb->>'status' = 'Open - Awaiting pickup' AND jsonb->>'holdShelfExpirationDate' < $1) \
           LIMIT $3 FOR UPDATE) \
         RETURNING request.jsonb->>$4 AS queue",
    )
    .bind::<Text, _>(cutoff)
    .bind::<Text, _>(updated_date)
    .bind::<BigInt, _>(limit)
    .bind::<Text, _>(queue_property)
    .load(conn)?;
    let mut queues: Vec<String> = closed.into_iter().filter_map(|r| r.queue).collect();
    queues.sort();
    queues.dedup();
    Ok(queues)
}

/// Which open requests [`renumber_queues`] numbers again.
pub(crate) enum Queues<'a> {
    /// The queues with these values of the queue property (after some requests left them).
    Named(&'a [String]),
    /// Every open queue (the queue property itself changed). Every open request must then name
    /// its queue and have a position; otherwise nothing is changed and the call fails.
    All,
}

#[derive(QueryableByName)]
struct QueueRow {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Nullable<Text>)]
    queue: Option<String>,
    #[diesel(sql_type = Nullable<Integer>)]
    position: Option<i32>,
}

/// Numbers the open requests of `queues` (grouped by `queue_property`) 1..n per queue in their
/// old position order, requests without a position last; returns how many open requests it
/// numbered. Their rows stay locked until the transaction ends.
pub(crate) fn renumber_queues(
    conn: &mut PgConnection,
    queue_property: &str,
    queues: Queues,
) -> Result<usize, StorageError> {
    let open: Vec<QueueRow> = match queues {
        Queues::Named([]) => return Ok(0),
        Queues::Named(names) => diesel::sql_query(
            "SELECT id, jsonb->>$1 AS queue, (jsonb->>'position')::int AS position FROM request \
             WHERE jsonb->>'status' = ANY($2) AND jsonb->>$1 = ANY($3) \
             ORDER BY jsonb->>'position' ASC FOR UPDATE",
        )
        .bind::<Text, _>(queue_property)
        .bind::<Array<Text>, _>(&OPEN_STATUSES[..])
        .bind::<Array<Text>, _>(names)
        .load(conn)?,
        Queues::All => {
            let open: Vec<QueueRow> = diesel::sql_query(
                "SELECT id, jsonb->>$1 AS queue, (jsonb->>'position')::int AS position \
                 FROM request WHERE jsonb->>'status' = ANY($2) FOR UPDATE",
            )
            .bind::<Text, _>(queue_property)
            .bind::<Array<Text>, _>(&OPEN_STATUSES[..])
            .load(conn)?;
            if open.iter().any(|r| r.queue.is_none()) {
                return Err(StorageError::Internal(
                    "element cannot be mapped to a null key".into(),
                ));
            }
            if let Some(unplaced) = open.iter().find(|r| r.position.is_none()) {
                return Err(StorageError::Internal(format!(
                    "open request {} has no position",
                    unplaced.id
                )));
            }
            open
        }
    };
    let count = open.len();
    set_positions(conn, &new_positions(open))?;
    Ok(count)
}

/// New positions for the open requests of some queues, given in the order the database returned
/// them: per queue 1..n by old position, requests without one last (a stable sort, so ties keep
/// the database's order).
fn new_positions(rows: Vec<QueueRow>) -> Vec<(Uuid, i32)> {
    let mut order: Vec<Option<String>> = Vec::new();
    let mut queues: HashMap<Option<String>, Vec<QueueRow>> = HashMap::new();
    for row in rows {
        let queue = queues.entry(row.queue.clone()).or_default();
        if queue.is_empty() {
            order.push(row.queue.clone());
        }
        queue.push(row);
    }
    let mut positions = Vec::new();
    for key in order {
        let mut queue = queues.remove(&key).unwrap_or_default();
        queue.sort_by_key(|r| (r.position.is_none(), r.position));
        positions.extend(
            queue
                .iter()
                .zip(1..)
                .map(|(request, position)| (request.id, position)),
        );
    }
    positions
}

/// Removes every position from the listed requests, then gives them their new ones (two
/// statements, so the unique (itemId, position) index never sees two requests on one place).
fn set_positions(conn: &mut PgConnection, positions: &[(Uuid, i32)]) -> Result<(), StorageError> {
    if positions.is_empty() {
        return Ok(());
    }
    let ids: Vec<Uuid> = positions.iter().map(|(id, _)| *id).collect();
    let numbers: Vec<i32> = positions.iter().map(|(_, n)| *n).collect();
    clear_positions(conn, &ids)?;
    diesel::sql_query(
        "UPDATE request SET jsonb = jsonb_set(request.jsonb, '{position}', to_jsonb(v.position)) \
         FROM unnest($1::uuid[], $2::int[]) AS v(id, position) WHERE request.id = v.id",
    )
    .bind::<Array<SqlUuid>, _>(&ids)
    .bind::<Array<Integer>, _>(&numbers)
    .execute(conn)?;
    Ok(())
}

/// Removes the position of every listed request (before new positions are written, so no two
/// requests hold one place halfway).
pub(crate) fn clear_positions(conn: &mut PgConnection, ids: &[Uuid]) -> Result<(), StorageError> {
    diesel::sql_query("UPDATE request SET jsonb = jsonb - 'position' WHERE id = ANY($1)")
        .bind::<Array<SqlUuid>, _>(ids)
        .execute(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{new_positions, QueueRow};
    use uuid::Uuid;

    fn row(n: u128, queue: &str, position: Option<i32>) -> QueueRow {
        QueueRow {
            id: Uuid::from_u128(n),
            queue: Some(queue.into()),
            position,
        }
    }

    #[test]
    fn renumbers_each_queue_by_position_with_the_unplaced_last() {
        // As the database orders them: by position as text ("10" before "2"), nulls last.
        let rows = vec![
            row(1, "a", Some(10)),
            row(2, "b", Some(3)),
            row(3, "a", Some(2)),
            row(4, "a", None),
            row(5, "a", None),
            row(6, "b", None),
        ];
        let mut got = new_positions(rows);
        got.sort();
        let want: Vec<(Uuid, i32)> = [(1, 2), (2, 1), (3, 1), (4, 3), (5, 4), (6, 2)]
            .into_iter()
            .map(|(id, p)| (Uuid::from_u128(id), p))
            .collect();
        assert_eq!(got, want);
    }
}
