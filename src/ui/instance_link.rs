//! Second launches as an iced subscription: the first instance's socket accepts their
//! requests one at a time and each becomes a `Launch` for the window.

use futures::SinkExt;
use iced::Subscription;
use interprocess::local_socket::traits::tokio::Listener as _;

use crate::launch::Launch;
use crate::launch::instance::{self, Address};

/// Listens at `address` for as long as the window runs.
pub fn listen(address: Address) -> Subscription<Launch> {
    Subscription::run_with(address, |address| {
        let address = address.clone();
        iced::stream::channel(16, async move |mut output| {
            let listener = match address.listen() {
                Ok(listener) => listener,
                Err(e) => {
                    // Second launches then say the running window does not answer.
                    tracing::warn!("cannot listen for second launches: {e}");
                    return;
                }
            };
            loop {
                match listener.accept().await {
                    Ok(stream) => {
                        if let Some(launch) = instance::serve(stream).await
                            && output.send(launch).await.is_err()
                        {
                            return;
                        }
                    }
                    Err(e) => {
                        tracing::warn!("a second launch could not connect: {e}");
                        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    }
                }
            }
        })
    })
}
