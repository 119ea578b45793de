//! The check-in's staff slip (`staffSlipContext`): what it reads beside the writes, and the
//! context built from it ([`crate::domain::template_context`]).
use super::Records;
use crate::domain::template_context::{check_in_context, CheckInSlip, ItemRecords, RequestRecords};
use crate::domain::{Item, Request, ServicePoint};
use crate::downstream::Peers;
use crate::flows::template::{found, item_names, user_names, ItemNames, UserNames};
use crate::okapi::CallError;
use chrono::{DateTime, Utc};
use serde_json::Value;

/// What the answer and the slip read beside the writes.
pub(super) struct SlipRecords {
    /// The service points named: the check-in's, the destination, the location's primary one
    /// and the request's pickup one.
    service_points: Vec<ServicePoint>,
    names: ItemNames,
    requester: Option<UserNames>,
}

/// Reads the service points the answer and the slip name (each once; `known` is one read
/// already), the item's loan type and location units, and the requester of `filled`.
pub(super) async fn read(
    peers: Peers<'_>,
    r: &Records,
    service_points: [Option<&str>; 4],
    known: Option<&ServicePoint>,
    filled: Option<&Request>,
) -> Result<SlipRecords, CallError> {
    let mut ids: Vec<&str> = service_points
        .into_iter()
        .flatten()
        .filter(|id| known.is_none_or(|k| k.id() != *id))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let inventory = peers.inventory();
    let (read, names, requester) = peers
        .fan
        .join3(
            peers.fan.all(
                ids.into_iter()
                    .map(|id| inventory.service_point(id))
                    .collect(),
            ),
            item_names(peers, &r.item, r.location.as_ref()),
            async {
                let Some(id) = filled.and_then(Request::requester_id) else {
                    return Ok(None);
                };
                let Some(user) = peers.users().by_id("requester", id).await? else {
                    return Ok(None);
                };
                let delivery = filled.and_then(Request::delivery_address_type_id);
                Ok::<_, CallError>(Some(user_names(peers, user, delivery).await?))
            },
        )
        .await;
    let mut service_points: Vec<ServicePoint> = known.into_iter().cloned().collect();
    service_points.extend(found(read)?);
    Ok(SlipRecords {
        service_points,
        names: names?,
        requester: requester?,
    })
}

impl SlipRecords {
    /// A service point read, by id.
    pub(super) fn service_point(&self, id: Option<&str>) -> Option<&ServicePoint> {
        let id = id?;
        self.service_points.iter().find(|sp| sp.id() == id)
    }

    /// The `staffSlipContext` of the check-in of `item` (as written) at `service_point` at
    /// `now`, going to `destination` when in transit, filling `request` (as moved on).
    pub(super) fn context(
        &self,
        r: &Records,
        item: &Item,
        request: Option<&Request>,
        service_point: &str,
        destination: Option<&str>,
        now: DateTime<Utc>,
    ) -> Value {
        let location = r.location.as_ref();
        let item = ItemRecords {
            item,
            holdings: r.holdings.as_ref(),
            instance: r.instance.as_ref(),
            location,
            library: self.names.library.as_ref(),
            campus: self.names.campus.as_ref(),
            institution: self.names.institution.as_ref(),
            primary_service_point: self
                .service_point(location.and_then(|l| l.primary_service_point())),
            material_type: r.material_type.as_ref(),
            loan_type: self.names.loan_type.as_ref(),
        };
        let request = request.map(|request| {
            let requester = self.requester.as_ref();
            let delivery_type = request.delivery_address_type_id().and_then(|id| {
                requester.and_then(|u| u.address_types.iter().find(|t| t.id() == id))
            });
            (
                RequestRecords {
                    request,
                    pickup_service_point: self.service_point(request.pickup_service_point_id()),
                    delivery_address_type: delivery_type,
                },
                requester.map(UserNames::records),
            )
        });
        check_in_context(&CheckInSlip {
            item,
            request,
            destination: self.service_point(destination),
            check_in_service_point: self.service_point(Some(service_point)),
            now,
        })
    }
}
