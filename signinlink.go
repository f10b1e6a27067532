package chime

import "context"

// SignInLink tells whether a sign-in link could be opened now, without using it and without starting a
// session (HEAD of the link's page, docs/behavior.md §9.3). Errors: as OpenSignIn's, *LinkError when the link
// is unknown, used or expired, or its user is suspended or no longer registered; internal failures.
func (s *Service) SignInLink(ctx context.Context, token string) error {
	return s.store.Read(ctx, func(tx Tx) error {
		_, _, _, err := s.checkLink(ctx, tx, LinkSignIn, token)
		return err
	})
}
