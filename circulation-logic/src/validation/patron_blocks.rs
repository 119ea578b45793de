//! Patron blocks that stop borrowing: manual blocks (one error for all of them) and automated
//! blocks (one error each); both overridable with `circulation.override-patron-block.post`.
use super::overrides::PATRON_BLOCK_PERMISSION;
use super::{error, overridable, Granted};
use crate::domain::{AutomatedBlock, ManualBlock};
use chrono::{DateTime, Utc};
use shared_types::errors::Error;

/// "Patron blocked from borrowing" when a manual block blocks borrowing now; the reason lists
/// every manual block's description.
pub(crate) fn manual_blocks(
    blocks: &[ManualBlock],
    now: DateTime<Utc>,
    granted: Granted,
) -> Option<Error> {
    if !blocks.iter().any(|b| b.blocks_borrowing(now)) {
        return None;
    }
    let reason = blocks
        .iter()
        .map(ManualBlock::description)
        .collect::<Vec<_>>()
        .join(";");
    Some(overridable(
        error(
            "Patron blocked from borrowing",
            &[("reason", Some(&reason))],
            Some("USER_IS_BLOCKED_MANUALLY"),
        ),
        "patronBlock",
        PATRON_BLOCK_PERMISSION,
        granted,
    ))
}

/// Each automated block that blocks borrowing, with its own message.
pub(crate) fn automated_blocks(blocks: &[AutomatedBlock], granted: Granted) -> Vec<Error> {
    blocks
        .iter()
        .filter(|b| b.blocks_borrowing())
        .map(|b| {
            overridable(
                error(b.message(), &[], Some("USER_IS_BLOCKED_AUTOMATICALLY")),
                "patronBlock",
                PATRON_BLOCK_PERMISSION,
                granted,
            )
        })
        .collect()
}
