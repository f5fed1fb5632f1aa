package server

// aclChanged is called after ACL SETUSER succeeds (the user changed),
// after ACL DELUSER (the users deleted) and after ACL LOAD (the users
// replaced, marked deleted, and the default user). This no-op stands in
// for the enforcement, which replaces it: disconnecting the clients of
// deleted users and the subscribers whose channels were revoked.
func (s *Server) aclChanged(users []*aclUser) {}
