// Package lifecycletest holds the end-to-end tests of the user lifecycle (docs/behavior.md §9.3): invitation emails over
// SMTP (an in-process server), the acceptance page (also in headless Chromium), sign-in links, sessions,
// LogoutUser and suspension, and the outbox. It has no non-test code besides this comment.
package lifecycletest
