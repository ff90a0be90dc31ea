//! The oil-change drill-down's part of [`ApiClient`]: every page of
//! `GET /api/v1/trends?field=oil_bbl&sort=change` (stored 30-day oil trends, steepest decline first), each page
//! revalidated with its own ETag (`If-None-Match`).
//!
//! Owns: that path, its paging and the pages kept for revalidation ([`TrendPages`]). Must not touch: egui, the
//! model, the event channel. Never panics on a network path.

use super::client::{ApiClient, ClientError, MAX_PAGE_SIZE};
use super::live_api::Conditional;
use flowline_shared::dto::Page;
use flowline_shared::dto::analytics::TrendListItem;
use reqwest::StatusCode;
use reqwest::header::{ETAG, IF_NONE_MATCH};

/// A safety stop against a list whose total keeps moving (100 pages of 500: 50,000 wells).
const MAX_TREND_PAGES: usize = 100;

/// One page of the last answer, with its tag.
#[derive(Debug, Clone, PartialEq)]
struct KeptPage {
    etag: Option<String>,
    items: Vec<TrendListItem>,
    total: u64,
}

/// The pages of the last answer, so that the next fetch asks page by page whether it changed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TrendPages {
    pages: Vec<KeptPage>,
}

impl ApiClient {
    /// `GET /api/v1/trends?field=oil_bbl&sort=change&limit=&offset=`: one page, revalidating `etag` when given.
    pub async fn oil_trends_page(
        &self,
        token: &str,
        limit: u32,
        offset: u64,
        etag: Option<&str>,
    ) -> Result<Conditional<Page<TrendListItem>>, ClientError> {
        let url = format!("{}/api/v1/trends?field=oil_bbl&sort=change&limit={limit}&offset={offset}", self.base_url());
        let mut request = self.http().get(&url).bearer_auth(token);
        if let Some(etag) = etag {
            request = request.header(IF_NONE_MATCH, etag);
        }
        let response = request.send().await.map_err(|e| self.transport_error(&url, &e))?;
        let status = response.status();
        if status == StatusCode::NOT_MODIFIED {
            return Ok(Conditional::NotModified);
        }
        let etag = response.headers().get(ETAG).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let bytes = response.bytes().await.map_err(|e| self.transport_error(&url, &e))?;
        let value = super::client::decode::<Page<TrendListItem>>(&url, status, &bytes)?;
        Ok(Conditional::Modified { value, etag })
    }

    /// Every oil trend of the tenant in the server's order, `page_size` (at most 500) at a time. `kept` holds the
    /// previous answer's pages and is replaced by this one's; `NotModified` when every page answered 304.
    pub async fn all_oil_trends(
        &self,
        token: &str,
        page_size: u32,
        kept: &mut TrendPages,
    ) -> Result<Conditional<(Vec<TrendListItem>, u64)>, ClientError> {
        let limit = page_size.clamp(1, MAX_PAGE_SIZE);
        let mut pages: Vec<KeptPage> = Vec::new();
        let mut changed = false;
        let mut offset = 0_u64;
        for index in 0..MAX_TREND_PAGES {
            // A page whose body is unchanged answers 304 whatever happened to the others (the tag is its digest).
            let known = kept.pages.get(index);
            let etag = known.and_then(|p| p.etag.as_deref());
            let page = match (self.oil_trends_page(token, limit, offset, etag).await?, known) {
                (Conditional::Modified { value, etag }, _) => {
                    changed = true;
                    KeptPage { etag, items: value.items, total: value.total }
                }
                (Conditional::NotModified, Some(known)) => known.clone(),
                (Conditional::NotModified, None) => {
                    return Err(ClientError::UnexpectedResponse {
                        url: format!("{}/api/v1/trends", self.base_url()),
                        status: StatusCode::NOT_MODIFIED.as_u16(),
                        snippet: "304 to a request without If-None-Match".to_owned(),
                    });
                }
            };
            let (received, total) = (page.items.len() as u64, page.total);
            offset += received;
            pages.push(page);
            if received == 0 || offset >= total {
                break;
            }
        }
        changed |= pages.len() != kept.pages.len();
        kept.pages = pages;
        if !changed {
            return Ok(Conditional::NotModified);
        }
        let total = kept.pages.first().map_or(0, |p| p.total);
        let items = kept.pages.iter().flat_map(|p| p.items.iter().cloned()).collect();
        Ok(Conditional::Modified { value: (items, total), etag: None })
    }
}
