// Command vault-jwt-server serves the real JWT/OIDC auth plugin (github.com/hashicorp/vault-plugin-auth-jwt)
// behind a Vault-shaped HTTP API, for ona-vault-doctor's tests.
//
// REAL: everything under /v1/auth/<mount>/ that is not the token store. Each mount is its own plugin backend,
// built as the plugin's own tests build it (jwtauth.Factory with logical.InmemStorage and a static system
// view, see getBackend in its path_role_test.go). Requests reach it as Vault's HTTP layer sends them (GET →
// read, GET ?list=true or LIST → list with a trailing slash, POST/PUT → update, turned into create by the
// backend's existence check, DELETE → delete; JSON bodies decoded with numbers kept as json.Number), and its
// answers go out through logical.RespondErrorCommon / logical.RespondError and
// logical.LogicalResponseToHTTPResponse, as Vault's HTTP layer does: {"errors":[…]} with 400/403/404/405/500,
// 204 for a nil response, 404 {"errors":[]} for a read or list that finds nothing. What Vault core does between
// the two (existence check, go-multierror around a route's error except on login paths) follows core's
// request_handling.go as OpenBao (MPL-2.0) has it.
//
// EMULATED (Vault core is not the plugin, and the Vault server module may not be used): sys/health, sys/auth
// (with running_plugin_version taken from this binary's build info), sys/auth/<path> to enable/disable a mount,
// sys/mounts/<path> and sys/internal/ui/mounts/<path> for secret engines (metadata only), the token store
// (auth/token/create with an id, lookup-self, revoke-self; a login creates a service token with the role's
// policies plus "default"), ACL policies (sys/policies/acl/<name>, the `path "…" { capabilities = […] }`
// subset of HCL, glob `*` suffix and `+` segments), sys/capabilities-self and the ACL check before each
// authenticated request. No namespaces, no leases, no secret engines' data.
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"regexp"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-multierror"
	jwtauth "github.com/hashicorp/vault-plugin-auth-jwt"
	"github.com/hashicorp/vault/sdk/helper/errutil"
	"github.com/hashicorp/vault/sdk/logical"
)

const pluginModule = "github.com/hashicorp/vault-plugin-auth-jwt"

var defaultPolicy = map[string][]string{
	"auth/token/lookup-self":        {"read"},
	"auth/token/renew-self":         {"update"},
	"auth/token/revoke-self":        {"update"},
	"sys/capabilities-self":         {"update"},
	"sys/internal/ui/resultant-acl": {"read"},
}

type mount struct {
	path     string
	typ      string
	accessor string
	uuid     string
	backend  logical.Backend
	storage  logical.Storage
}

type token struct {
	id          string
	accessor    string
	policies    []string
	meta        map[string]string
	path        string
	displayName string
	entityID    string
	ttl         int64
	issued      time.Time
}

type secretMount struct {
	typ     string
	options map[string]string
}

type server struct {
	mu            sync.Mutex
	pluginVersion string
	vaultVersion  string
	mounts        map[string]*mount
	secretMounts  map[string]secretMount
	tokens        map[string]*token
	policies      map[string]string
	entities      map[string]string
}

func randomHex(n int) string {
	buf := make([]byte, n)
	_, _ = rand.Read(buf)
	return hex.EncodeToString(buf)
}

func uuid() string {
	h := randomHex(16)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// pluginVersionFromBuild reads the plugin module's version from this binary's build info.
func pluginVersionFromBuild() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	for _, dep := range info.Deps {
		if dep.Path == pluginModule {
			if dep.Replace != nil {
				return dep.Replace.Version
			}
			return dep.Version
		}
	}
	return "unknown"
}

func (s *server) newBackend(ctx context.Context) (logical.Backend, logical.Storage, error) {
	storage := &logical.InmemStorage{}
	config := &logical.BackendConfig{
		Logger: hclog.NewNullLogger(),
		System: &logical.StaticSystemView{
			DefaultLeaseTTLVal: 12 * time.Hour,
			MaxLeaseTTLVal:     24 * time.Hour,
		},
		StorageView: storage,
	}
	backend, err := jwtauth.Factory(ctx, config)
	if err != nil {
		return nil, nil, err
	}
	return backend, storage, nil
}

func (s *server) enable(ctx context.Context, path, typ string) error {
	path = strings.Trim(path, "/")
	if typ == "" {
		typ = "jwt"
	}
	if typ != "jwt" && typ != "oidc" {
		return fmt.Errorf("plugin not found in the catalog: %s", typ)
	}
	if _, exists := s.mounts[path]; exists || path == "token" {
		return fmt.Errorf("path is already in use at %s/", path)
	}
	backend, storage, err := s.newBackend(ctx)
	if err != nil {
		return err
	}
	s.mounts[path] = &mount{path: path, typ: typ, accessor: "auth_" + typ + "_" + randomHex(4), uuid: uuid(), backend: backend, storage: storage}
	return nil
}

// ---------------------------------------------------------------------------------------------------------
// Replies

type reply struct {
	status int
	body   interface{}
}

func errorReply(status int, messages ...string) reply {
	if messages == nil {
		messages = []string{}
	}
	return reply{status, map[string]interface{}{"errors": messages}}
}

func permissionDenied() reply {
	return errorReply(http.StatusForbidden, logical.ErrPermissionDenied.Error())
}

func envelope(data interface{}, mountType string) map[string]interface{} {
	return map[string]interface{}{
		"request_id":     uuid(),
		"lease_id":       "",
		"renewable":      false,
		"lease_duration": 0,
		"data":           data,
		"wrap_info":      nil,
		"warnings":       nil,
		"auth":           nil,
		"mount_type":     mountType,
	}
}

// withTopLevel copies data's keys to the top level, as legacy sys/ endpoints do.
func withTopLevel(data map[string]interface{}, mountType string) map[string]interface{} {
	body := envelope(data, mountType)
	for key, value := range data {
		body[key] = value
	}
	return body
}

// ---------------------------------------------------------------------------------------------------------
// ACL (emulated)

var policyRule = regexp.MustCompile(`(?s)path\s+"([^"]+)"\s*\{\s*capabilities\s*=\s*\[([^\]]*)\]\s*\}`)

func parsePolicy(text string) map[string][]string {
	rules := map[string][]string{}
	for _, match := range policyRule.FindAllStringSubmatch(text, -1) {
		var caps []string
		for _, item := range strings.Split(match[2], ",") {
			item = strings.Trim(strings.TrimSpace(item), `"`)
			if item != "" {
				caps = append(caps, item)
			}
		}
		rules[match[1]] = append(rules[match[1]], caps...)
	}
	return rules
}

func aclMatches(pattern, path string) bool {
	prefix := strings.HasSuffix(pattern, "*")
	body := strings.TrimSuffix(pattern, "*")
	var expr strings.Builder
	expr.WriteString("^")
	for i, segment := range strings.Split(body, "/") {
		if i > 0 {
			expr.WriteString("/")
		}
		if segment == "+" {
			expr.WriteString("[^/]*")
		} else {
			expr.WriteString(regexp.QuoteMeta(segment))
		}
	}
	if !prefix {
		expr.WriteString("$")
	}
	return regexp.MustCompile(expr.String()).MatchString(path)
}

func (s *server) capabilities(t *token, path string) []string {
	path = strings.TrimLeft(path, "/")
	granted := map[string]bool{}
	for _, name := range t.policies {
		if name == "root" {
			return []string{"root"}
		}
		var rules map[string][]string
		if text, ok := s.policies[name]; ok {
			rules = parsePolicy(text)
		} else if name == "default" {
			rules = defaultPolicy
		}
		for pattern, caps := range rules {
			if aclMatches(pattern, path) {
				for _, c := range caps {
					granted[c] = true
				}
			}
		}
	}
	if len(granted) == 0 || granted["deny"] {
		return []string{"deny"}
	}
	list := make([]string, 0, len(granted))
	for c := range granted {
		list = append(list, c)
	}
	sort.Strings(list)
	return list
}

func (s *server) allowed(t *token, path string, capability string) bool {
	for _, c := range s.capabilities(t, path) {
		if c == "root" || c == capability {
			return true
		}
	}
	return false
}

func operationCapability(op logical.Operation) string {
	switch op {
	case logical.CreateOperation:
		return "create"
	case logical.UpdateOperation:
		return "update"
	case logical.DeleteOperation:
		return "delete"
	case logical.ListOperation:
		return "list"
	default:
		return "read"
	}
}

// ---------------------------------------------------------------------------------------------------------
// HTTP

type request struct {
	method string
	path   string
	list   bool
	token  string
	remote string
	data   map[string]interface{}
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	var rep reply
	if !strings.HasPrefix(r.URL.Path, "/v1/") {
		rep = errorReply(http.StatusNotFound)
	} else {
		req := request{
			method: strings.ToUpper(r.Method),
			path:   strings.TrimPrefix(r.URL.Path, "/v1/"),
			token:  r.Header.Get("X-Vault-Token"),
		}
		if auth := r.Header.Get("Authorization"); req.token == "" && strings.HasPrefix(strings.ToLower(auth), "bearer ") {
			req.token = strings.TrimSpace(auth[7:])
		}
		if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
			req.remote = host
		}
		req.list = req.method == "LIST" || (req.method == "GET" && r.URL.Query().Get("list") == "true")
		req.data = map[string]interface{}{}
		if len(bytes.TrimSpace(raw)) > 0 {
			decoder := json.NewDecoder(bytes.NewReader(raw))
			decoder.UseNumber()
			if err := decoder.Decode(&req.data); err != nil {
				rep = errorReply(http.StatusBadRequest, "failed to parse JSON input: "+err.Error())
			}
		}
		if rep.status == 0 {
			s.mu.Lock()
			rep = s.route(r.Context(), req)
			s.mu.Unlock()
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	if rep.status == http.StatusNoContent {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	text, _ := json.Marshal(rep.body)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(rep.status)
	_, _ = w.Write(text)
}

func isWrite(method string) bool { return method == "POST" || method == "PUT" }

func (s *server) validToken(value string) *token {
	t, ok := s.tokens[value]
	if !ok {
		return nil
	}
	if t.ttl > 0 && time.Since(t.issued) > time.Duration(t.ttl)*time.Second {
		return nil
	}
	return t
}

func (s *server) route(ctx context.Context, req request) reply {
	path := strings.TrimRight(req.path, "/")
	if path == "sys/health" {
		return reply{http.StatusOK, map[string]interface{}{
			"initialized":                  true,
			"sealed":                       false,
			"standby":                      false,
			"performance_standby":          false,
			"replication_performance_mode": "disabled",
			"replication_dr_mode":          "disabled",
			"server_time_utc":              time.Now().Unix(),
			"version":                      s.vaultVersion,
			"cluster_name":                 "vault-jwt-server",
			"cluster_id":                   "00000000-0000-0000-0000-000000000000",
		}}
	}
	if m, rest := s.findAuthMount(path); m != nil && !(req.list) {
		for _, unauthenticated := range m.backend.SpecialPaths().Unauthenticated {
			if rest == unauthenticated {
				return s.plugin(ctx, req, m, rest, nil)
			}
		}
	}
	t := s.validToken(req.token)
	if t == nil {
		return permissionDenied()
	}
	unsupported := errorReply(http.StatusMethodNotAllowed, "1 error occurred:\n\t* unsupported operation\n\n")
	switch {
	case path == "sys/auth":
		if req.method != "GET" || req.list {
			return unsupported
		}
		if !s.allowed(t, path, "read") {
			return permissionDenied()
		}
		return reply{http.StatusOK, withTopLevel(s.sysAuth(), "system")}
	case strings.HasPrefix(path, "sys/auth/"):
		if !s.allowed(t, path, "sudo") {
			return permissionDenied()
		}
		target := strings.TrimPrefix(path, "sys/auth/")
		if isWrite(req.method) {
			typ, _ := req.data["type"].(string)
			if err := s.enable(ctx, target, typ); err != nil {
				return errorReply(http.StatusBadRequest, err.Error())
			}
			return reply{status: http.StatusNoContent}
		}
		if req.method == "DELETE" {
			delete(s.mounts, strings.Trim(target, "/"))
			return reply{status: http.StatusNoContent}
		}
		return unsupported
	case strings.HasPrefix(path, "sys/mounts/"):
		if !s.allowed(t, path, "sudo") {
			return permissionDenied()
		}
		if !isWrite(req.method) {
			return unsupported
		}
		typ, _ := req.data["type"].(string)
		options := map[string]string{}
		if raw, ok := req.data["options"].(map[string]interface{}); ok {
			for key, value := range raw {
				options[key] = fmt.Sprint(value)
			}
		}
		s.secretMounts[strings.Trim(strings.TrimPrefix(path, "sys/mounts/"), "/")] = secretMount{typ, options}
		return reply{status: http.StatusNoContent}
	case strings.HasPrefix(path, "sys/internal/ui/mounts/"):
		wanted := strings.TrimPrefix(path, "sys/internal/ui/mounts/")
		best := ""
		for mountPath := range s.secretMounts {
			if (wanted == mountPath || strings.HasPrefix(wanted, mountPath+"/")) && len(mountPath) > len(best) {
				best = mountPath
			}
		}
		if best == "" {
			return permissionDenied()
		}
		info := s.secretMounts[best]
		var options interface{}
		if len(info.options) > 0 {
			options = info.options
		}
		return reply{http.StatusOK, envelope(map[string]interface{}{"path": best + "/", "type": info.typ, "description": "", "options": options}, info.typ)}
	case strings.HasPrefix(path, "sys/policies/acl/"):
		name := strings.ToLower(strings.TrimPrefix(path, "sys/policies/acl/"))
		switch {
		case isWrite(req.method):
			capability := "update"
			if _, exists := s.policies[name]; !exists {
				capability = "create"
			}
			if !s.allowed(t, path, capability) {
				return permissionDenied()
			}
			text, _ := req.data["policy"].(string)
			s.policies[name] = text
			return reply{status: http.StatusNoContent}
		case req.method == "GET" && !req.list:
			if !s.allowed(t, path, "read") {
				return permissionDenied()
			}
			text, ok := s.policies[name]
			if !ok {
				return errorReply(http.StatusNotFound)
			}
			return reply{http.StatusOK, envelope(map[string]interface{}{"name": name, "policy": text}, "system")}
		case req.method == "DELETE":
			if !s.allowed(t, path, "delete") {
				return permissionDenied()
			}
			delete(s.policies, name)
			return reply{status: http.StatusNoContent}
		}
		return unsupported
	case path == "sys/capabilities-self":
		if !isWrite(req.method) {
			return unsupported
		}
		var paths []string
		switch value := req.data["paths"].(type) {
		case []interface{}:
			for _, item := range value {
				paths = append(paths, fmt.Sprint(item))
			}
		case string:
			paths = strings.Split(value, ",")
		}
		if single, ok := req.data["path"].(string); ok && len(paths) == 0 {
			paths = []string{single}
		}
		if len(paths) == 0 {
			return errorReply(http.StatusBadRequest, "paths must be supplied")
		}
		data := map[string]interface{}{}
		for _, p := range paths {
			data[p] = s.capabilities(t, p)
		}
		if len(paths) == 1 {
			data["capabilities"] = data[paths[0]]
		}
		return reply{http.StatusOK, withTopLevel(data, "system")}
	case path == "auth/token/create":
		if !isWrite(req.method) {
			return unsupported
		}
		if !s.allowed(t, path, "update") && !s.allowed(t, path, "create") {
			return permissionDenied()
		}
		var policies []string
		if list, ok := req.data["policies"].([]interface{}); ok {
			for _, item := range list {
				policies = append(policies, fmt.Sprint(item))
			}
		}
		if noDefault, _ := req.data["no_default_policy"].(bool); !noDefault {
			policies = append(policies, "default")
		}
		id, _ := req.data["id"].(string)
		if id == "" {
			id = "hvs." + randomHex(12)
		}
		created := &token{id: id, accessor: randomHex(12), policies: uniqueSorted(policies), path: "auth/token/create", displayName: "token", issued: time.Now()}
		if ttl, ok := req.data["ttl"].(json.Number); ok {
			created.ttl, _ = ttl.Int64()
		}
		s.tokens[id] = created
		return reply{http.StatusOK, map[string]interface{}{
			"request_id": uuid(), "lease_id": "", "renewable": false, "lease_duration": 0, "data": nil, "wrap_info": nil, "warnings": nil,
			"auth":       map[string]interface{}{"client_token": id, "accessor": created.accessor, "policies": created.policies, "token_policies": created.policies, "metadata": nil, "lease_duration": created.ttl, "renewable": created.ttl > 0, "entity_id": "", "token_type": "service", "orphan": false, "mfa_requirement": nil, "num_uses": 0},
			"mount_type": "token",
		}}
	case path == "auth/token/lookup-self":
		if req.method != "GET" && !isWrite(req.method) {
			return unsupported
		}
		return reply{http.StatusOK, envelope(s.lookup(t), "token")}
	case path == "auth/token/revoke-self":
		if !isWrite(req.method) {
			return unsupported
		}
		delete(s.tokens, t.id)
		return reply{status: http.StatusNoContent}
	case path == "auth/token" || strings.HasPrefix(path, "auth/token/"):
		return errorReply(http.StatusNotFound, "1 error occurred:\n\t* unsupported path\n\n")
	}
	m, rest := s.findAuthMount(path)
	if m == nil {
		return errorReply(http.StatusNotFound, fmt.Sprintf("no handler for route %q. route entry not found.", req.path))
	}
	return s.plugin(ctx, req, m, rest, t)
}

func uniqueSorted(list []string) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, item := range list {
		item = strings.ToLower(strings.TrimSpace(item))
		if item != "" && !seen[item] {
			seen[item] = true
			out = append(out, item)
		}
	}
	sort.Strings(out)
	return out
}

func (s *server) lookup(t *token) map[string]interface{} {
	var remaining int64
	var expire interface{}
	if t.ttl > 0 {
		remaining = t.ttl - int64(time.Since(t.issued).Seconds())
		if remaining < 0 {
			remaining = 0
		}
		expire = t.issued.Add(time.Duration(t.ttl) * time.Second).UTC().Format(time.RFC3339Nano)
	}
	path := t.path
	if path == "" {
		path = "auth/token/create"
	}
	var meta interface{}
	if t.meta != nil {
		meta = t.meta
	}
	return map[string]interface{}{
		"accessor": t.accessor, "creation_time": t.issued.Unix(), "creation_ttl": t.ttl, "display_name": t.displayName,
		"entity_id": t.entityID, "expire_time": expire, "explicit_max_ttl": 0, "id": t.id,
		"issue_time": t.issued.UTC().Format(time.RFC3339Nano), "meta": meta, "num_uses": 0, "orphan": true,
		"path": path, "policies": t.policies, "renewable": t.ttl > 0, "ttl": remaining, "type": "service",
	}
}

func (s *server) sysAuth() map[string]interface{} {
	data := map[string]interface{}{}
	entry := func(typ, accessor, id, running, description string) map[string]interface{} {
		return map[string]interface{}{
			"type": typ, "accessor": accessor, "description": description,
			"config":                  map[string]interface{}{"default_lease_ttl": 0, "max_lease_ttl": 0, "force_no_cache": false, "token_type": "default-service"},
			"local":                   false,
			"seal_wrap":               false,
			"external_entropy_access": false,
			"options":                 nil,
			"plugin_version":          "",
			"running_plugin_version":  running,
			"running_sha256":          "",
			"uuid":                    id,
		}
	}
	for path, m := range s.mounts {
		data[path+"/"] = entry(m.typ, m.accessor, m.uuid, s.pluginVersion+"+builtin", "")
	}
	data["token/"] = entry("token", "auth_token_00000000", "00000000-0000-0000-0000-000000000001", "v"+s.vaultVersion+"+builtin.vault", "token based credentials")
	return data
}

func (s *server) findAuthMount(path string) (*mount, string) {
	if !strings.HasPrefix(path, "auth/") {
		return nil, ""
	}
	after := strings.TrimPrefix(path, "auth/")
	var best *mount
	rest := ""
	for mountPath, m := range s.mounts {
		if after != mountPath && !strings.HasPrefix(after, mountPath+"/") {
			continue
		}
		if best != nil && len(best.path) >= len(mountPath) {
			continue
		}
		best = m
		rest = strings.TrimPrefix(strings.TrimPrefix(after, mountPath), "/")
	}
	return best, rest
}

// plugin hands a request to the real backend the way Vault core does, t is nil on unauthenticated paths.
func (s *server) plugin(ctx context.Context, in request, m *mount, rest string, t *token) reply {
	var op logical.Operation
	switch {
	case in.list:
		op = logical.ListOperation
		if !strings.HasSuffix(rest, "/") {
			rest += "/"
		}
	case in.method == "GET":
		op = logical.ReadOperation
	case isWrite(in.method):
		op = logical.UpdateOperation
	case in.method == "DELETE":
		op = logical.DeleteOperation
	default:
		return errorReply(http.StatusMethodNotAllowed, "1 error occurred:\n\t* unsupported operation\n\n")
	}
	req := &logical.Request{
		ID:         uuid(),
		Operation:  op,
		Path:       rest,
		Data:       in.data,
		Storage:    m.storage,
		Connection: &logical.Connection{RemoteAddr: in.remote},
		MountPoint: "auth/" + m.path + "/",
		MountType:  m.typ,
	}
	if t != nil {
		req.ClientToken = t.id
		req.DisplayName = t.displayName
	}
	login := t == nil
	// Vault core (CheckToken): an update on a path with an existence check becomes a create when the entry is
	// absent; a field the check cannot parse is the caller's error (400, plain), any other failure is internal.
	if op == logical.UpdateOperation && !login {
		checkFound, exists, err := m.backend.HandleExistenceCheck(ctx, req)
		var userError errutil.UserError
		switch {
		case err == nil:
		case errors.Is(err, logical.ErrUnsupportedPath):
			checkFound = false
		case errors.As(err, &userError):
			return errorReply(http.StatusBadRequest, err.Error())
		default:
			return errorReply(http.StatusInternalServerError, multierror.Append(nil, errors.New("internal error")).Error())
		}
		if checkFound && !exists {
			req.Operation = logical.CreateOperation
		}
	}
	if t != nil && !s.allowed(t, "auth/"+m.path+"/"+strings.TrimSuffix(rest, "/"), operationCapability(req.Operation)) {
		return permissionDenied()
	}
	resp, err := m.backend.HandleRequest(ctx, req)
	// Vault core collects a route's error with go-multierror (handleRequest) but hands a login's back as it is
	// (handleLoginRequest): "1 error occurred: … unsupported operation" on a role, plain "permission denied"
	// from a login's CIDR check. An error response's text is what the HTTP layer prints either way.
	if err != nil && !login {
		err = multierror.Append(nil, err)
	}
	if status, e := logical.RespondErrorCommon(req, resp, err); status != 0 || e != nil {
		return s.respondError(status, e)
	}
	if resp == nil {
		if op == logical.ReadOperation || op == logical.ListOperation {
			return errorReply(http.StatusNotFound)
		}
		return reply{status: http.StatusNoContent}
	}
	if op == logical.ListOperation {
		keys, ok := resp.Data["keys"].([]string)
		if !ok || len(keys) == 0 {
			return errorReply(http.StatusNotFound)
		}
	}
	httpResp := logical.LogicalResponseToHTTPResponse(resp)
	// Vault's HTTPResponse field order; data's keys come out sorted, as Go marshals maps.
	body := orderedResponse{
		RequestID: req.ID, LeaseID: httpResp.LeaseID, Renewable: httpResp.Renewable, LeaseDuration: httpResp.LeaseDuration,
		Data: httpResp.Data, WrapInfo: nil, Warnings: httpResp.Warnings, Auth: nil, MountType: m.typ,
	}
	if resp.Auth != nil {
		body.Auth = s.login(m, resp.Auth)
	}
	return reply{http.StatusOK, body}
}

type orderedResponse struct {
	RequestID     string                 `json:"request_id"`
	LeaseID       string                 `json:"lease_id"`
	Renewable     bool                   `json:"renewable"`
	LeaseDuration int                    `json:"lease_duration"`
	Data          map[string]interface{} `json:"data"`
	WrapInfo      interface{}            `json:"wrap_info"`
	Warnings      []string               `json:"warnings"`
	Auth          interface{}            `json:"auth"`
	MountType     string                 `json:"mount_type"`
}

// respondError writes what logical.RespondError would: {"errors":[err]} with the status, [] for a nil error.
func (s *server) respondError(status int, err error) reply {
	recorder := &bufferWriter{header: http.Header{}}
	logical.RespondError(recorder, status, err)
	var body map[string]interface{}
	_ = json.Unmarshal(recorder.body.Bytes(), &body)
	return reply{recorder.status, body}
}

type bufferWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferWriter) Header() http.Header         { return b.header }
func (b *bufferWriter) Write(p []byte) (int, error) { return b.body.Write(p) }
func (b *bufferWriter) WriteHeader(status int)      { b.status = status }

// login is Vault core's part of a successful login (emulated): a service token with the role's policies.
func (s *server) login(m *mount, auth *logical.Auth) map[string]interface{} {
	policies := append([]string{}, auth.Policies...)
	if !auth.NoDefaultPolicy {
		policies = append(policies, "default")
	}
	policies = uniqueSorted(policies)
	ttl := int64(auth.TTL.Seconds())
	if ttl == 0 {
		ttl = int64((12 * time.Hour).Seconds())
	}
	user := ""
	if auth.Alias != nil {
		user = auth.Alias.Name
	}
	entityKey := m.path + "\x00" + user
	entityID, ok := s.entities[entityKey]
	if !ok {
		entityID = uuid()
		s.entities[entityKey] = entityID
	}
	created := &token{
		id: "hvs." + randomHex(12), accessor: randomHex(12), policies: policies, meta: auth.Metadata,
		path: "auth/" + m.path + "/login", displayName: strings.ReplaceAll(m.path, "/", "-") + "-" + user,
		entityID: entityID, ttl: ttl, issued: time.Now(),
	}
	s.tokens[created.id] = created
	return map[string]interface{}{
		"client_token": created.id, "accessor": created.accessor, "policies": policies, "token_policies": policies,
		"metadata": auth.Metadata, "lease_duration": ttl, "renewable": true, "entity_id": entityID,
		"token_type": "service", "orphan": true, "mfa_requirement": nil, "num_uses": auth.NumUses,
	}
}

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on (loopback)")
	rootToken := flag.String("root-token", "root", "the root token's id")
	vaultVersion := flag.String("vault-version", "", "version reported by sys/health (default: derived from the plugin version)")
	mounts := flag.String("mounts", "", "comma-separated jwt mounts to enable at start")
	flag.Parse()

	s := &server{
		pluginVersion: pluginVersionFromBuild(),
		mounts:        map[string]*mount{},
		secretMounts:  map[string]secretMount{},
		tokens:        map[string]*token{},
		policies:      map[string]string{},
		entities:      map[string]string{},
	}
	s.vaultVersion = *vaultVersion
	if s.vaultVersion == "" {
		s.vaultVersion = "0.0.0+jwt-plugin-" + s.pluginVersion
	}
	s.tokens[*rootToken] = &token{id: *rootToken, accessor: randomHex(12), policies: []string{"root"}, path: "auth/token/root", displayName: "root", issued: time.Now()}
	for _, path := range strings.Split(*mounts, ",") {
		if strings.TrimSpace(path) == "" {
			continue
		}
		if err := s.enable(context.Background(), strings.TrimSpace(path), "jwt"); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	listener, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if host, _, _ := net.SplitHostPort(listener.Addr().String()); !net.ParseIP(host).IsLoopback() {
		fmt.Fprintln(os.Stderr, "refusing to listen on a non-loopback address:", host)
		os.Exit(1)
	}
	out := bufio.NewWriter(os.Stdout)
	fmt.Fprintf(out, "{\"address\":\"http://%s\",\"plugin_version\":%q}\n", listener.Addr().String(), s.pluginVersion)
	_ = out.Flush()
	// Ends when stdin closes, so a test runner that dies never leaves a server behind.
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		os.Exit(0)
	}()
	httpServer := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	if err := httpServer.Serve(listener); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
