//! `protocol::decode` on any bytes: it never panics, and a frame that decodes re-encodes to a
//! frame that decodes to the same message.

#![no_main]

use fieldclinic_sync::protocol::{decode, encode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|frame: &[u8]| {
    let Ok(message) = decode(frame) else { return };
    let again = encode(&message);
    match decode(&again) {
        Ok(back) => assert_eq!(back, message, "re-encoded as {again:02x?}"),
        Err(e) => panic!("{message:?} re-encodes as {again:02x?}, which does not decode: {e}"),
    }
    // Encoding is a function of the message: a second round gives the same bytes.
    assert_eq!(encode(&decode(&again).unwrap()), again);
});
