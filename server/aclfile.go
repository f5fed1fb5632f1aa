package server

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// The ACL file (--aclfile, ACL LOAD, ACL SAVE): one "user <name> <rules>"
// line per user, as Redis 7.0.15 reads and writes it (acl.c
// ACLLoadFromFile, ACLSaveToFile).

// aclFileError is ACL LOAD's failure: Redis's text, without "ERR ".
type aclFileError struct{ text string }

func (e *aclFileError) Error() string { return e.text }

// loadFile replaces all users with those of the file at path, or with
// none of them if the file has an error: Redis's error texts, each error
// of the file, then a warning that nothing changed. The default user keeps
// its handle; the other users are new, and the old ones are marked deleted.
func (a *aclStore) loadFile(path string) error {
	_, err := a.load(path)
	return err
}

// load is loadFile, also returning the users whose connections are
// affected: the old users (deleted) and the default user.
func (a *aclStore) load(path string) ([]*aclUser, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &aclFileError{fmt.Sprintf("Error loading ACLs, opening file '%s': %s", path, strerror(err))}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	// fgets stops at a NUL byte: Redis reads each line up to the first.
	text := string(data)
	var errs strings.Builder
	loaded := map[string]*aclPerms{}
	var order []string
	for i, line := range strings.Split(text, "\n") {
		lineNum := i + 1
		if j := strings.IndexByte(line, 0); j >= 0 {
			line = line[:j]
		}
		line = strings.Trim(line, " \t\r\n")
		if line == "" {
			continue
		}
		args := strings.Split(line, " ")
		if args[0] != "user" || len(args) < 2 {
			fmt.Fprintf(&errs, "%s:%d should start with user keyword followed by the username. ", path, lineNum)
			continue
		}
		name := args[1]
		if hasSpaces(name) {
			fmt.Fprintf(&errs, "'%s:%d: username '%s' contains invalid characters. ", path, lineNum, name)
			continue
		}
		if _, dup := loaded[name]; dup {
			fmt.Fprintf(&errs, "WARNING: Duplicate user '%s' found on line %d. ", name, lineNum)
			continue
		}
		p := newUserPerms(a.pubsubAll)
		loaded[name] = p
		order = append(order, name)
		rules, bad := mergeSelectorArgs(args[2:])
		if bad >= 0 {
			fmt.Fprintf(&errs, "%s:%d: Unmatched parenthesis in selector definition.", path, lineNum)
			continue
		}
		syntaxError := false
		for _, rule := range rules {
			rule = strings.Trim(rule, "\t\r\n")
			reason := p.apply(rule, a.pubsubAll)
			switch {
			case reason == "":
			case reason == errACLReasonUnknown:
				fmt.Fprintf(&errs, "%s:%d: Error in applying operation '%s': %s. ", path, lineNum, rule, reason)
			case !syntaxError:
				fmt.Fprintf(&errs, "%s:%d: %s. ", path, lineNum, reason)
				syntaxError = true
			}
		}
	}
	if errs.Len() > 0 {
		errs.WriteString("WARNING: ACL errors detected, no change to the previously active ACL rules was performed")
		return nil, &aclFileError{errs.String()}
	}
	var affected []*aclUser
	for name, u := range a.users {
		if name != "default" {
			u.deleted.Store(true)
			affected = append(affected, u)
		}
	}
	users := map[string]*aclUser{"default": a.def}
	for _, name := range order {
		if name != "default" {
			users[name] = newACLUser(name, loaded[name])
		}
	}
	if p := loaded["default"]; p != nil {
		a.def.perms.Store(p)
	} else {
		a.def.perms.Store(defaultUserPerms())
	}
	a.users = users
	return append(affected, a.def), nil
}

// saveFile writes every user to path, by way of a temporary file renamed
// over it, as Redis does.
func (a *aclStore) saveFile(path string) error {
	var b strings.Builder
	for _, u := range a.sortedUsers() {
		b.WriteString("user " + u.name + " " + u.perms.Load().describe() + "\n")
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	if err := tmp.Chmod(0o644); err != nil { // as Redis creates it
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if _, err := tmp.WriteString(b.String()); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}

// strerror is C's strerror text of err's errno ("No such file or
// directory"), Go's text otherwise.
func strerror(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		s := errno.Error()
		if s != "" {
			return strings.ToUpper(s[:1]) + s[1:]
		}
	}
	return err.Error()
}
