//! Patron blocks that stop borrowing (check-out) or renewing: manual blocks (one error for all
//! of them) and automated blocks (one error each); both overridable with
//! `circulation.override-patron-block.post`.
use super::overrides::PATRON_BLOCK_PERMISSION;
use super::{error, overridable, Granted};
use crate::domain::{AutomatedBlock, BlockedAction, ManualBlock};
use chrono::{DateTime, Utc};
use shared_types::errors::Error;

/// "Patron blocked from borrowing" (or "renewing") when a manual block blocks `action` now; the
/// reason lists every manual block's description.
pub(crate) fn manual_blocks(
    blocks: &[ManualBlock],
    action: BlockedAction,
    now: DateTime<Utc>,
    granted: Granted,
) -> Option<Error> {
    if !blocks.iter().any(|b| b.blocks(action, now)) {
        return None;
    }
    let reason = blocks
        .iter()
        .map(ManualBlock::description)
        .collect::<Vec<_>>()
        .join(";");
    let message = match action {
        BlockedAction::Borrowing => "Patron blocked from borrowing",
        BlockedAction::Renewing => "Patron blocked from renewing",
    };
    Some(overridable(
        error(
            message,
            &[("reason", Some(&reason))],
            Some("USER_IS_BLOCKED_MANUALLY"),
        ),
        "patronBlock",
        PATRON_BLOCK_PERMISSION,
        granted,
    ))
}

/// Each automated block that blocks `action`, with its own message.
pub(crate) fn automated_blocks(
    blocks: &[AutomatedBlock],
    action: BlockedAction,
    granted: Granted,
) -> Vec<Error> {
    blocks
        .iter()
        .filter(|b| b.blocks(action))
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
