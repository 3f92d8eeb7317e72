//! AdvSIMD helpers.
