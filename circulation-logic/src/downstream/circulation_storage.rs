//! Circulation storage (this project's storage module, or mod-circulation-storage): loans,
//! requests, rules, loan and notice policies, schedules, patron action sessions, scheduled
//! notices and check-out locks.
use super::Peers;
use crate::domain::feesfines::ActualCostRecord;
use crate::domain::notice::PatronActionSession;
use crate::domain::request::OPEN_STATUSES_CQL;
use crate::domain::{Loan, LoanPolicyRecord, NoticePolicy, Request, RequestQueue};
use crate::okapi::{cql_quote, CallError, Reply};
use reqwest::Method;
use serde_json::{json, Value};
use shared_types::policy::FixedDueDateSchedule;
use shared_types::scheduled_notice::ScheduledNotice;

const LOANS: &str = "/loan-storage/loans";
const REQUESTS: &str = "/request-storage/requests";
const REQUEST_BATCH: &str = "/request-storage-batch/requests";
const SESSIONS: &str = "/patron-action-session-storage/patron-action-sessions";
const SCHEDULED_NOTICES: &str = "/scheduled-notice-storage/scheduled-notices";
const LOCKS: &str = "/check-out-lock-storage";
const RULES: &str = "/circulation-rules-storage";
const CHECK_INS: &str = "/check-in-storage/check-ins";
const ACTUAL_COST_RECORDS: &str = "/actual-cost-record-storage/actual-cost-records";

#[derive(Clone, Copy)]
pub(crate) struct CirculationStorage<'a>(pub(super) Peers<'a>);

impl CirculationStorage<'_> {
    /// The open loans of an item (there is at most one).
    pub(crate) async fn open_loans_for_item(&self, item_id: &str) -> Result<Vec<Loan>, CallError> {
        let q = format!("status.name==\"Open\" and itemId=={}", cql_quote(item_id));
        let list = self
            .0
            .okapi
            .get_list(
                "open loan for item",
                LOANS,
                &[("query", &q), ("limit", "1")],
                "loans",
            )
            .await?;
        Ok(list.into_iter().map(Loan::from_json).collect())
    }

    /// The item's most recent loan, open or closed (`itemId=="<id>" sortBy
    /// loanDate/sort.descending`, one).
    pub(crate) async fn last_loan_for_item(
        &self,
        item_id: &str,
    ) -> Result<Option<Loan>, CallError> {
        let q = format!(
            "itemId=={} sortBy loanDate/sort.descending",
            cql_quote(item_id)
        );
        let loan = self
            .0
            .first_match("last loan for item", LOANS, &q, "1", "loans")
            .await?;
        Ok(loan.map(Loan::from_json))
    }

    /// The actual cost record an account bills (`feeFine.accountId=="<id>"`, one).
    pub(crate) async fn actual_cost_record_of_account(
        &self,
        account_id: &str,
    ) -> Result<Option<ActualCostRecord>, CallError> {
        let q = format!("feeFine.accountId=={}", cql_quote(account_id));
        self.actual_cost_record("actual cost record of account", &q)
            .await
    }

    /// The loan's most recently lost open actual cost record (`loan.id=="<id>" and
    /// status=="Open" sortBy lossDate/sort.descending`, one).
    pub(crate) async fn open_actual_cost_record_of_loan(
        &self,
        loan_id: &str,
    ) -> Result<Option<ActualCostRecord>, CallError> {
        let q = format!(
            "loan.id=={} and status==\"Open\" sortBy lossDate/sort.descending",
            cql_quote(loan_id)
        );
        self.actual_cost_record("open actual cost record of loan", &q)
            .await
    }

    /// The first actual cost record the CQL `query` finds.
    async fn actual_cost_record(
        &self,
        name: &str,
        query: &str,
    ) -> Result<Option<ActualCostRecord>, CallError> {
        let record = self
            .0
            .first_match(name, ACTUAL_COST_RECORDS, query, "1", "actualCostRecords")
            .await?;
        Ok(record.map(ActualCostRecord::from_json))
    }

    /// A loan by id; `None` when there is none.
    pub(crate) async fn loan(&self, id: &str) -> Result<Option<Loan>, CallError> {
        let path = format!("{LOANS}/{id}");
        Ok(self
            .0
            .okapi
            .get_opt("loan", &path)
            .await?
            .map(Loan::from_json))
    }

    /// A page of loans as storage answers a query (`query`, `limit`, `offset` passed on): the
    /// loans and `totalRecords`.
    pub(crate) async fn loans(
        &self,
        params: &[(&str, &str)],
    ) -> Result<(Vec<Loan>, Value), CallError> {
        let answer = self.0.okapi.get("loans", LOANS, params).await?;
        let total = answer.get("totalRecords").cloned().unwrap_or(Value::Null);
        let loans = answer
            .get("loans")
            .and_then(Value::as_array)
            .map(|list| list.iter().cloned().map(Loan::from_json).collect())
            .unwrap_or_default();
        Ok((loans, total))
    }

    /// The open loans of a borrower.
    pub(crate) async fn open_loans_of_user(&self, user_id: &str) -> Result<Vec<Loan>, CallError> {
        let q = format!("status.name==\"Open\" and userId=={}", cql_quote(user_id));
        let list = self
            .0
            .okapi
            .get_list(
                "open loans of borrower",
                LOANS,
                &[("query", &q), ("limit", "10000")],
                "loans",
            )
            .await?;
        Ok(list.into_iter().map(Loan::from_json).collect())
    }

    /// `POST` a loan; the answer whatever its status (the caller reads a refusal itself).
    pub(crate) async fn create_loan(&self, loan: &Loan) -> Result<Reply, CallError> {
        self.0
            .okapi
            .call("create loan", Method::POST, LOANS, &[], Some(loan.json()))
            .await
    }

    pub(crate) async fn update_loan(&self, name: &str, loan: &Loan) -> Result<Reply, CallError> {
        let path = format!("{LOANS}/{}", loan.id());
        self.0
            .okapi
            .write(name, Method::PUT, &path, Some(loan.json()))
            .await
    }

    /// `PUT` of a loan changed from the one read, refused (storage's 409, forwarded) when
    /// somebody changed the stored loan since it was read: two check-ins or renewals of one
    /// loan cannot both write it.
    pub(crate) async fn update_loan_as_read(
        &self,
        name: &str,
        loan: &Loan,
    ) -> Result<Reply, CallError> {
        let Some(version) = loan.version() else {
            return self.update_loan(name, loan).await;
        };
        let path = format!("{LOANS}/{}", loan.id());
        let tag = format!("\"{version}\"");
        self.0
            .okapi
            .write_with(
                name,
                Method::PUT,
                &path,
                Some(loan.json()),
                &[("if-match", &tag)],
            )
            .await
    }

    /// Records a check-in (the check-in history, kept whatever the check-in changes).
    pub(crate) async fn create_check_in(&self, record: &Value) -> Result<Reply, CallError> {
        self.0
            .okapi
            .write(
                "create check-in record",
                Method::POST,
                CHECK_INS,
                Some(record),
            )
            .await
    }

    pub(crate) async fn delete_loan(&self, name: &str, loan_id: &str) -> Result<Reply, CallError> {
        self.0
            .okapi
            .write(name, Method::DELETE, &format!("{LOANS}/{loan_id}"), None)
            .await
    }

    /// The open requests of the item (and, with title-level requests, of its instance), in
    /// queue order.
    pub(crate) async fn request_queue(
        &self,
        item_id: &str,
        instance_id: Option<&str>,
    ) -> Result<RequestQueue, CallError> {
        let q = match instance_id {
            None => format!(
                "itemId=={} and status=={OPEN_STATUSES_CQL} and requestLevel==(\"Item\") sortBy position/sort.ascending",
                cql_quote(item_id)
            ),
            Some(instance_id) => format!(
                "(itemId=={} or instanceId=={}) and status=={OPEN_STATUSES_CQL} and requestLevel==(\"Item\" or \"Title\") sortBy position/sort.ascending",
                cql_quote(item_id),
                cql_quote(instance_id)
            ),
        };
        let list = self
            .0
            .okapi
            .get_list(
                "request queue",
                REQUESTS,
                &[("query", &q), ("limit", "1000")],
                "requests",
            )
            .await?;
        Ok(RequestQueue::from_json(list))
    }

    pub(crate) async fn update_request(
        &self,
        name: &str,
        request: &Request,
    ) -> Result<Reply, CallError> {
        let path = format!("{REQUESTS}/{}", request.id());
        self.0
            .okapi
            .write(name, Method::PUT, &path, Some(request.json()))
            .await
    }

    /// Several requests written at once (a queue's new positions).
    pub(crate) async fn update_requests(
        &self,
        name: &str,
        requests: &[Request],
    ) -> Result<Reply, CallError> {
        let list: Vec<&Value> = requests.iter().map(Request::json).collect();
        self.0
            .okapi
            .write(
                name,
                Method::POST,
                REQUEST_BATCH,
                Some(&json!({ "requests": list })),
            )
            .await
    }

    /// The tenant's circulation rules document (cached).
    pub(crate) async fn rules(&self) -> Result<Option<Value>, CallError> {
        self.0
            .cache
            .get(self.0.okapi, "circulation rules", RULES)
            .await
    }

    /// The tenant's circulation rules document as stored now (not through the cache).
    pub(crate) async fn rules_document(&self) -> Result<Value, CallError> {
        self.0.okapi.get("circulation rules", RULES, &[]).await
    }

    /// Stores a rules document (the client's whole object) and forgets the cached one.
    pub(crate) async fn store_rules(&self, document: &Value) -> Result<(), CallError> {
        let stored = self
            .0
            .okapi
            .write(
                "store circulation rules",
                Method::PUT,
                RULES,
                Some(document),
            )
            .await;
        self.0.cache.invalidate(&self.0.okapi.tenant, RULES);
        stored.map(|_| ())
    }

    pub(crate) async fn loan_policy(
        &self,
        id: &str,
    ) -> Result<Option<LoanPolicyRecord>, CallError> {
        let path = format!("/loan-policy-storage/loan-policies/{id}");
        self.0
            .cached("loan policy", &path, LoanPolicyRecord::from_json)
            .await
    }

    pub(crate) async fn notice_policy(&self, id: &str) -> Result<Option<NoticePolicy>, CallError> {
        let path = format!("/patron-notice-policy-storage/patron-notice-policies/{id}");
        self.0
            .cached("patron notice policy", &path, NoticePolicy::from_json)
            .await
    }

    /// A fixed due date schedule (cached); one that cannot be read as a schedule is none.
    pub(crate) async fn fixed_due_date_schedule(
        &self,
        id: &str,
    ) -> Result<Option<FixedDueDateSchedule>, CallError> {
        let path = format!("/fixed-due-date-schedule-storage/fixed-due-date-schedules/{id}");
        Ok(self
            .0
            .cache
            .get(self.0.okapi, "fixed due date schedule", &path)
            .await?
            .and_then(|v| serde_json::from_value(v).ok()))
    }

    pub(crate) async fn create_session(&self, session: &Value) -> Result<Reply, CallError> {
        self.0
            .okapi
            .write(
                "patron action session",
                Method::POST,
                SESSIONS,
                Some(session),
            )
            .await
    }

    /// A patron's sessions of one action ("Check-out", "Check-in"), at most 200 (as
    /// mod-circulation reads them).
    pub(crate) async fn sessions(
        &self,
        patron_id: &str,
        action_type: &str,
    ) -> Result<Vec<PatronActionSession>, CallError> {
        let q = format!(
            "patronId=={} and actionType=={}",
            cql_quote(patron_id),
            cql_quote(action_type)
        );
        let list = self
            .0
            .okapi
            .get_list(
                "patron action sessions",
                SESSIONS,
                &[("query", &q), ("limit", "200")],
                "patronActionSessions",
            )
            .await?;
        Ok(list
            .into_iter()
            .map(PatronActionSession::from_json)
            .collect())
    }

    /// Loans by id, in batches.
    pub(crate) async fn loans_by_ids(&self, ids: &[&str]) -> Result<Vec<Loan>, CallError> {
        let list = self.0.by_ids("loans", LOANS, "loans", ids).await?;
        Ok(list.into_iter().map(Loan::from_json).collect())
    }

    /// The comment of the loan's latest "patronInfoAdded" action in its history.
    pub(crate) async fn latest_patron_info(
        &self,
        loan_id: &str,
    ) -> Result<Option<String>, CallError> {
        let q = format!(
            "loan.id=={} and loan.action==\"patronInfoAdded\" sortBy createdDate/sort.descending",
            cql_quote(loan_id)
        );
        let list = self
            .0
            .okapi
            .get_list(
                "latest patron info",
                "/loan-storage/loan-history",
                &[("query", &q), ("limit", "1")],
                "loansHistory",
            )
            .await?;
        Ok(list.into_iter().next().and_then(|h| {
            Loan::from_json(h.get("loan").cloned().unwrap_or_default())
                .action_comment()
                .map(str::to_string)
        }))
    }

    pub(crate) async fn delete_session(
        &self,
        name: &str,
        session_id: &str,
    ) -> Result<Reply, CallError> {
        let path = format!("{SESSIONS}/{session_id}");
        self.0.okapi.write(name, Method::DELETE, &path, None).await
    }

    pub(crate) async fn schedule_notice(
        &self,
        name: &str,
        notice: &ScheduledNotice,
    ) -> Result<Reply, CallError> {
        let body = serde_json::to_value(notice).unwrap_or_default();
        self.0
            .okapi
            .write(name, Method::POST, SCHEDULED_NOTICES, Some(&body))
            .await
    }

    /// Deletes the loan's scheduled notices that `which` (CQL) selects:
    /// `DELETE /scheduled-notice-storage/scheduled-notices?query=loanId=="<id>" and <which>`.
    pub(crate) async fn delete_scheduled_notices(
        &self,
        name: &str,
        loan_id: &str,
        which: &str,
    ) -> Result<Reply, CallError> {
        let q = format!("loanId=={} and {which}", cql_quote(loan_id));
        let reply = self
            .0
            .okapi
            .call(
                name,
                Method::DELETE,
                SCHEDULED_NOTICES,
                &[("query", &q)],
                None,
            )
            .await?;
        match reply.is_success() {
            true => Ok(reply),
            false => Err(CallError::Failed {
                name: name.into(),
                reply,
            }),
        }
    }

    /// Takes a patron's check-out lock: the lock's id, or the failure.
    pub(crate) async fn acquire_lock(
        &self,
        user_id: &str,
        ttl_ms: u64,
    ) -> Result<Reply, CallError> {
        let body = json!({"userId": user_id, "ttlMs": ttl_ms});
        self.0
            .okapi
            .write("acquire check-out lock", Method::POST, LOCKS, Some(&body))
            .await
    }

    pub(crate) async fn release_lock(&self, lock_id: &str) -> Result<Reply, CallError> {
        let path = format!("{LOCKS}/{lock_id}");
        self.0
            .okapi
            .write("release check-out lock", Method::DELETE, &path, None)
            .await
    }
}
