//! The automerge-repo wire protocol, version "1": typed messages and their CBOR codec.

mod codec;
mod message;
mod peer_id;

pub use codec::{DecodeError, decode, encode};
pub use message::{DocMessage, EphemeralMessage, Message, PROTOCOL_VERSION, PeerMetadata};
pub use peer_id::{BadPeerId, PeerId};
