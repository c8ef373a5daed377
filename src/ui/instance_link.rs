//! Second launches as an iced subscription: `launch::instance::serve` accepts their requests
//! on the first instance's local socket, and each becomes a `Launch` for the window.

use iced::Subscription;

use crate::launch::Launch;
use crate::launch::instance::{self, Address};

/// Listens at `address` for as long as the window runs.
pub fn listen(address: Address) -> Subscription<Launch> {
    Subscription::run_with(address, |address| {
        let address = address.clone();
        iced::stream::channel(16, async move |output| {
            instance::serve(&address, output).await;
        })
    })
}
