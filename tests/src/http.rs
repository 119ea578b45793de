//! A small HTTP client for tests and programs: FOLIO headers on every call, replies as status +
//! body, so assertions read like the API documentation.
use serde_json::Value;

#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub body: String,
    pub location: Option<String>,
    pub content_type: Option<String>,
    pub etag: Option<String>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// The messages of a 422 `{"errors":[...]}` body.
    pub fn error_messages(&self) -> Vec<String> {
        self.json()["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .map(|e| e["message"].as_str().unwrap_or_default().to_string())
                    .collect()
            })
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone)]
pub struct FolioClient {
    pub http: reqwest::Client,
    pub base: String,
    pub tenant: String,
    pub user_id: Option<String>,
    /// The `X-Okapi-Url` sent (the base URL by default; `None` for a module called directly,
    /// with no gateway behind it).
    pub okapi_url: Option<String>,
}

impl FolioClient {
    pub fn new(base: &str, tenant: &str) -> FolioClient {
        FolioClient {
            http: reqwest::Client::builder()
                .no_proxy()
                .connect_timeout(std::time::Duration::from_secs(5))
                .timeout(std::time::Duration::from_secs(60))
                // Never reuse a connection the server may be closing: actix closes idle ones
                // after 5 s, and a request sent on one just then fails half way.
                .pool_idle_timeout(std::time::Duration::from_secs(3))
                .build()
                .expect("reqwest client"),
            base: base.trim_end_matches('/').to_string(),
            tenant: tenant.to_string(),
            user_id: None,
            okapi_url: Some(base.trim_end_matches('/').to_string()),
        }
    }

    pub fn for_tenant(&self, tenant: &str) -> FolioClient {
        FolioClient {
            tenant: tenant.to_string(),
            ..self.clone()
        }
    }

    pub async fn send(&self, method: reqwest::Method, path: &str, body: Option<Vec<u8>>) -> Reply {
        self.send_with(method, path, body, &[]).await
    }

    pub async fn send_with(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Vec<u8>>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut request = self
            .http
            .request(method, format!("{}{}", self.base, path))
            .header("X-Okapi-Tenant", &self.tenant);
        if let Some(url) = &self.okapi_url {
            request = request.header("X-Okapi-Url", url);
        }
        if let Some(user) = &self.user_id {
            request = request.header("X-Okapi-User-Id", user);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request
                .header("Content-Type", "application/json")
                .body(body);
        }
        let response = request
            .send()
            .await
            .unwrap_or_else(|e| panic!("{path}: {e:?}"));
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let location = header("location");
        let content_type = header("content-type");
        let etag = header("etag");
        let body = response.text().await.unwrap_or_default();
        Reply {
            status,
            body,
            location,
            content_type,
            etag,
        }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(reqwest::Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Reply {
        self.send(
            reqwest::Method::POST,
            path,
            Some(body.to_string().into_bytes()),
        )
        .await
    }

    pub async fn post_raw(&self, path: &str, body: &str) -> Reply {
        self.send(reqwest::Method::POST, path, Some(body.as_bytes().to_vec()))
            .await
    }

    pub async fn put(&self, path: &str, body: &Value) -> Reply {
        self.send(
            reqwest::Method::PUT,
            path,
            Some(body.to_string().into_bytes()),
        )
        .await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.send(reqwest::Method::DELETE, path, None).await
    }
}

/// Percent-encodes a CQL query for a URL.
pub fn encode(query: &str) -> String {
    let mut out = String::with_capacity(query.len() * 3);
    for b in query.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
