//! Users (mod-users): users, patron groups and proxy relationships.
use super::Peers;
use crate::domain::{AddressType, Department, PatronGroup, ProxyRelationship, User};
use crate::okapi::{cql_quote, CallError};

#[derive(Clone, Copy)]
pub(crate) struct Users<'a>(pub(super) Peers<'a>);

impl Users<'_> {
    /// The user with this barcode, under the hop `name` (borrower or proxy).
    pub(crate) async fn by_barcode(
        &self,
        name: &str,
        barcode: &str,
    ) -> Result<Option<User>, CallError> {
        let q = format!("barcode=={}", cql_quote(barcode));
        let user = self.0.first_match(name, "/users", &q, "1", "users").await?;
        Ok(user.map(User::from_json))
    }

    pub(crate) async fn by_id(&self, name: &str, id: &str) -> Result<Option<User>, CallError> {
        Ok(self
            .0
            .okapi
            .get_opt(name, &format!("/users/{id}"))
            .await?
            .map(User::from_json))
    }

    pub(crate) async fn by_ids(&self, ids: &[&str]) -> Result<Vec<User>, CallError> {
        let list = self.0.by_ids("users", "/users", "users", ids).await?;
        Ok(list.into_iter().map(User::from_json).collect())
    }

    /// A patron group (cached: configuration, re-readable at any time).
    pub(crate) async fn patron_group(&self, id: &str) -> Result<Option<PatronGroup>, CallError> {
        let path = format!("/groups/{id}");
        self.0
            .cached("patron group", &path, PatronGroup::from_json)
            .await
    }

    /// The user's patron group (none when the user names none).
    pub(crate) async fn patron_group_of(
        &self,
        user: &User,
    ) -> Result<Option<PatronGroup>, CallError> {
        match user.patron_group_id() {
            Some(id) => self.patron_group(id).await,
            None => Ok(None),
        }
    }

    /// An address type (cached: configuration).
    pub(crate) async fn address_type(&self, id: &str) -> Result<Option<AddressType>, CallError> {
        let path = format!("/addresstypes/{id}");
        self.0
            .cached("address type", &path, AddressType::from_json)
            .await
    }

    /// A department (cached: configuration).
    pub(crate) async fn department(&self, id: &str) -> Result<Option<Department>, CallError> {
        let path = format!("/departments/{id}");
        self.0
            .cached("department", &path, Department::from_json)
            .await
    }

    /// The relationships in which `proxy_id` proxies for `user_id`.
    pub(crate) async fn proxy_relationships(
        &self,
        proxy_id: &str,
        user_id: &str,
    ) -> Result<Vec<ProxyRelationship>, CallError> {
        let q = format!(
            "proxyUserId=={} and userId=={}",
            cql_quote(proxy_id),
            cql_quote(user_id)
        );
        let list = self
            .0
            .okapi
            .get_list(
                "proxy relationship",
                "/proxiesfor",
                &[("query", &q), ("limit", "1000")],
                "proxiesFor",
            )
            .await?;
        Ok(list.into_iter().map(ProxyRelationship::from_json).collect())
    }
}
