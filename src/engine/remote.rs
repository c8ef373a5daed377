//! Remote content the user allowed: images fetched over HTTP(S) for the reader, and the
//! "always from this sender" list. Only the engine opens these connections; the window shows
//! the bytes.

use std::time::Duration;

use super::{Context, ErrorKind, Event};

/// The most one image may weigh.
const MAX_BYTES: usize = 10 * 1024 * 1024;
/// The most images fetched for one message.
const MAX_IMAGES: usize = 64;

/// Remembers that `sender`'s mail on `account` may show remote content.
pub(super) async fn allow_sender(ctx: &Context, account: i64, sender: String) {
    let who = sender.clone();
    let written = ctx
        .store
        .writer()
        .write(move |tx| crate::store::remote_content::allow(tx, account, &who))
        .await;
    match written {
        Ok(()) => ctx.emit(Event::RemoteAllowed { account, sender }),
        Err(e) => ctx.emit(Event::Error {
            account,
            kind: ErrorKind::Storage,
            message: e.to_string(),
        }),
    }
}

/// Fetches the images of one message, a few at a time, each reported as it arrives.
pub(super) async fn fetch(ctx: Context, message: i64, urls: Vec<String>) {
    let client = match client(&ctx) {
        Ok(client) => client,
        Err(e) => {
            for url in urls {
                ctx.emit(Event::RemoteImage {
                    message,
                    url,
                    result: Err(e.clone()),
                });
            }
            return;
        }
    };
    let mut pending = urls.into_iter().take(MAX_IMAGES);
    let mut running = tokio::task::JoinSet::new();
    loop {
        while running.len() < 4 {
            let Some(url) = pending.next() else { break };
            let client = client.clone();
            running.spawn(async move {
                let result = get(&client, &url).await;
                (url, result)
            });
        }
        let Some(done) = running.join_next().await else {
            break;
        };
        if let Ok((url, result)) = done {
            ctx.emit(Event::RemoteImage {
                message,
                url,
                result,
            });
        }
    }
}

fn client(ctx: &Context) -> Result<reqwest::Client, String> {
    let config = crate::protocols::tls::client_config(&ctx.options.extra_roots)
        .map_err(|e| e.to_string())?;
    reqwest::Client::builder()
        .tls_backend_preconfigured((*config).clone())
        .timeout(Duration::from_secs(20))
        .redirect(reqwest::redirect::Policy::limited(5))
        // No Referer and no cookies: the sender learns as little as a fetch allows.
        .referer(false)
        .build()
        .map_err(|e| e.to_string())
}

async fn get(client: &reqwest::Client, url: &str) -> Result<Vec<u8>, String> {
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err(format!("{url}: not a web address"));
    }
    let mut response = client
        .get(url)
        .send()
        .await
        .map_err(|e| format!("{url}: {e}"))?;
    if !response.status().is_success() {
        return Err(format!("{url}: the server answered {}", response.status()));
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| format!("{url}: {e}"))? {
        if bytes.len() + chunk.len() > MAX_BYTES {
            return Err(format!("{url}: larger than {} MB", MAX_BYTES / 1024 / 1024));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}
