//! System register and miscellaneous helpers.
