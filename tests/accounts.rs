//! Accounts: passwords in a real Secret Service (gnome-keyring under D-Bus, set up by
//! tests/run.sh), autoconfig against loopback servers, and the connection doctor.

mod harness;

#[path = "accounts/autoconfig.rs"]
mod autoconfig;
#[path = "accounts/doctor.rs"]
mod doctor;
#[path = "accounts/keyring.rs"]
mod keyring;
