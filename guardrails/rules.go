// Package guardrails checks every stack during synthesis against the
// project's safety rules ([Rules]) and fails the synthesis, naming the
// stack, the resource and the rule, when one is broken. The rules read the
// stack's final Terraform JSON, so nothing a construct does slips past them.
//
// An environment's configuration can waive a rule with a written reason; the
// stack's metadata ("//".guardrails) records the waiver and the findings it
// covers.
package guardrails

import (
	"cmp"
	"fmt"
	"maps"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/my-mimisbrunnr/perpetual-infra/internal/exposure"
	"github.com/my-mimisbrunnr/perpetual-infra/internal/facts"
	"github.com/my-mimisbrunnr/perpetual-infra/internal/stackjson"
)

// Finding is one broken rule.
type Finding struct {
	Rule string
	// Path is the construct path of the resource ("prod/key-vault/vault"),
	// Address its Terraform address.
	Path    string
	Address string
	Message string
}

func (f Finding) String() string {
	return fmt.Sprintf("%s (%s): %s", f.Path, f.Address, f.Message)
}

// Options say which rules apply to a stack.
type Options struct {
	// Production enables the rules marked ProductionOnly.
	Production bool
	// RequiredTags must be on every taggable resource (TAG-001).
	RequiredTags []string
}

func finding(b stackjson.Block, rule, format string, args ...any) Finding {
	return Finding{Rule: rule, Path: b.ConstructPath(), Address: b.Address(), Message: fmt.Sprintf(format, args...)}
}

// Check applies every rule that opts selects to a stack's Terraform JSON
// and returns the findings sorted by rule and path.
func Check(stack *stackjson.Stack, opts Options) []Finding {
	out := append(checkNetwork(stack), checkCredentials(stack)...)
	for _, r := range stack.Resources("") {
		for _, check := range []func(stackjson.Block, Options) []Finding{
			checkKeyVault, checkStorage, checkPreventDestroy, checkTags, checkWriteOnlySecrets,
		} {
			out = append(out, check(r, opts)...)
		}
	}
	applicable := Applicable(opts.Production)
	out = slices.DeleteFunc(out, func(f Finding) bool {
		return !slices.ContainsFunc(applicable, func(r Rule) bool { return r.ID == f.Rule })
	})
	slices.SortStableFunc(out, func(a, b Finding) int {
		return cmp.Or(strings.Compare(a.Rule, b.Rule), strings.Compare(a.Path, b.Path))
	})
	return out
}

// NET-001: no inbound allow rule from the internet to an admin port.

// AdminPorts must never be reachable from the internet.
var AdminPorts = []int{22, 5001, 6443}

// internetTags are the NSG source service tags that mean "anyone".
var internetTags = []string{"*", "Internet", "Any"}

// inboundRule is one inbound allow rule of an NSG, standalone or inline.
type inboundRule struct {
	r       stackjson.Block
	name    any
	ports   []string
	tag     string         // an internet service tag among the sources, or ""
	sources []netip.Prefix // the sources that are networks
}

func inboundAllowRules(stack *stackjson.Stack) []inboundRule {
	var out []inboundRule
	for _, r := range stack.Resources("") {
		var rules []any
		switch r.Type {
		case "azurerm_network_security_rule":
			rules = []any{r.Attrs}
		case "azurerm_network_security_group":
			// Inline rules, if anyone adds them.
			rules, _ = r.Attrs["security_rule"].([]any)
		}
		for _, e := range rules {
			rule, _ := e.(map[string]any)
			access, _ := rule["access"].(string)
			direction, _ := rule["direction"].(string)
			if !strings.EqualFold(access, "Allow") || !strings.EqualFold(direction, "Inbound") {
				continue
			}
			nr := inboundRule{r: r, name: rule["name"], ports: stringsOf(rule["destination_port_range"], rule["destination_port_ranges"])}
			for _, s := range stringsOf(rule["source_address_prefix"], rule["source_address_prefixes"]) {
				if slices.ContainsFunc(internetTags, func(tag string) bool { return strings.EqualFold(tag, s) }) {
					nr.tag = s
				} else if p, ok := exposure.ParseSource(s); ok {
					nr.sources = append(nr.sources, p)
				}
			}
			out = append(out, nr)
		}
	}
	return out
}

// bound says where the internet begins, for messages.
var bound = fmt.Sprintf("more than a %s of IPv4 or a %s of IPv6 is the internet", exposure.MaxIPv4Prefix, exposure.MaxIPv6Prefix)

// checkNetwork applies NET-001. A source is the internet when it is an
// internet service tag, or when the networks admitted to an admin port, in
// one rule or spread over several, are [exposure.Space.TooBroad].
func checkNetwork(stack *stackjson.Stack) []Finding {
	rules := inboundAllowRules(stack)
	var out []Finding
	flagged := map[int]bool{}
	for i, nr := range rules {
		from := nr.tag
		if from == "" {
			space := exposure.Measure(nr.sources)
			if !space.TooBroad() {
				continue
			}
			from = fmt.Sprintf("%s, which covers %s (%s)", exposure.List(nr.sources), space, bound)
		}
		flagged[i] = true
		for _, ports := range nr.ports {
			if ports == "*" {
				out = append(out, finding(nr.r, "NET-001", "rule %v allows all ports from %s", nr.name, from))
				continue
			}
			for _, p := range AdminPorts {
				if !portInRange(p, ports) {
					continue
				}
				what := fmt.Sprintf("port %d", p)
				if ports != strconv.Itoa(p) {
					what += fmt.Sprintf(" (range %s)", ports)
				}
				out = append(out, finding(nr.r, "NET-001", "rule %v allows %s from %s", nr.name, what, from))
			}
		}
	}
	// The internet split over several rules.
	for _, p := range AdminPorts {
		var contributors []int
		var all []netip.Prefix
		for i, nr := range rules {
			admits := slices.ContainsFunc(nr.ports, func(spec string) bool { return spec == "*" || portInRange(p, spec) })
			if !flagged[i] && len(nr.sources) > 0 && admits {
				contributors = append(contributors, i)
				all = append(all, nr.sources...)
			}
		}
		space := exposure.Measure(all)
		if len(contributors) < 2 || !space.TooBroad() {
			continue
		}
		for _, i := range contributors {
			var others []string
			for _, j := range contributors {
				if j != i {
					others = append(others, fmt.Sprint(rules[j].name))
				}
			}
			out = append(out, finding(rules[i].r, "NET-001", "rule %v allows port %d from %s, and with rules %s the networks admitted to port %d cover %s (%s)",
				rules[i].name, p, exposure.List(rules[i].sources), strings.Join(others, ", "), p, space, bound))
		}
	}
	return out
}

func stringsOf(vs ...any) []string {
	var out []string
	for _, v := range vs {
		switch v := v.(type) {
		case string:
			out = append(out, v)
		case []any:
			for _, e := range v {
				if s, ok := e.(string); ok {
					out = append(out, s)
				}
			}
		}
	}
	return out
}

// portInRange reports whether port is in "22" or "20-25".
func portInRange(port int, spec string) bool {
	lo, hi, isRange := strings.Cut(strings.TrimSpace(spec), "-")
	if !isRange {
		hi = lo
	}
	a, errLo := strconv.Atoi(lo)
	b, errHi := strconv.Atoi(hi)
	return errLo == nil && errHi == nil && a <= port && port <= b
}

// KV-001, KV-002: production Key Vaults.

func checkKeyVault(r stackjson.Block, _ Options) []Finding {
	if r.Type != "azurerm_key_vault" {
		return nil
	}
	var out []Finding
	if v, _ := r.Attrs["purge_protection_enabled"].(bool); !v {
		out = append(out, finding(r, "KV-001", "purge_protection_enabled is not true: a deleted vault's secrets could be purged at once"))
	}
	if action, _ := r.Get("network_acls.default_action"); action != "Deny" {
		got := "unset"
		if action != nil {
			got = fmt.Sprintf("%q", fmt.Sprint(action))
		}
		out = append(out, finding(r, "KV-002", "network_acls.default_action is %s, not \"Deny\": the vault is open to every network", got))
	}
	return out
}

// ST-001, ST-002, ST-003: storage accounts.

func checkStorage(r stackjson.Block, _ Options) []Finding {
	if r.Type != "azurerm_storage_account" {
		return nil
	}
	var out []Finding
	// azurerm 4.x defaults https_traffic_only_enabled to true.
	if v, ok := r.Attrs["https_traffic_only_enabled"].(bool); ok && !v {
		out = append(out, finding(r, "ST-001", "https_traffic_only_enabled is false: the account accepts plain HTTP"))
	}
	// azurerm defaults min_tls_version to TLS1_2.
	if v, ok := r.Attrs["min_tls_version"].(string); ok && v != "TLS1_2" && v != "TLS1_3" {
		out = append(out, finding(r, "ST-002", "min_tls_version is %s: TLS below 1.2 is accepted", v))
	}
	// allow_nested_items_to_be_public defaults to true: it must be false.
	if v, ok := r.Attrs["allow_nested_items_to_be_public"].(bool); !ok || v {
		out = append(out, finding(r, "ST-003", "allow_nested_items_to_be_public is not false: containers may be made public (azurerm defaults it to true)"))
	}
	return out
}

// DATA-001: production data cannot be destroyed by a plan.

// DataResources are [facts.DataResources] (which cmd/plancheck reads
// without the bindings).
var DataResources = facts.DataResources

func checkPreventDestroy(r stackjson.Block, _ Options) []Finding {
	if !slices.Contains(DataResources, r.Type) {
		return nil
	}
	if v, _ := r.Get("lifecycle.prevent_destroy"); v != true {
		return []Finding{finding(r, "DATA-001", "no lifecycle.prevent_destroy: a plan could delete this data")}
	}
	return nil
}

// TAG-001: required tags.

// Taggable lists the azurerm resource types this project uses or may use
// that take tags in provider 3.97; they, and any resource with tags, must
// have the required tags.
var Taggable = []string{
	"azurerm_resource_group", "azurerm_virtual_network", "azurerm_network_security_group",
	"azurerm_public_ip", "azurerm_lb", "azurerm_dns_zone", "azurerm_dns_a_record",
	"azurerm_kubernetes_cluster", "azurerm_user_assigned_identity", "azurerm_managed_disk",
	"azurerm_storage_account", "azurerm_key_vault", "azurerm_key_vault_secret",
	"azurerm_data_protection_backup_vault", "azurerm_log_analytics_workspace",
	"azurerm_monitor_action_group", "azurerm_monitor_metric_alert",
	"azurerm_monitor_data_collection_rule", "azurerm_container_registry",
}

func checkTags(r stackjson.Block, opts Options) []Finding {
	raw, has := r.Attrs["tags"].(map[string]any)
	if !has && !slices.Contains(Taggable, r.Type) {
		return nil
	}
	tags := map[string]string{}
	for k, v := range raw {
		if s, ok := v.(string); ok {
			tags[k] = s
		}
	}
	missing := MissingTags(tags, opts.RequiredTags)
	if len(missing) == 0 {
		return nil
	}
	return []Finding{finding(r, "TAG-001", "missing required tags %s", strings.Join(missing, ", "))}
}

// MissingTags returns the required tags that tags lacks or leaves empty,
// in the order of required. Names are compared exactly, as TAG-001 does.
func MissingTags(tags map[string]string, required []string) []string {
	var missing []string
	for _, k := range required {
		if tags[k] == "" {
			missing = append(missing, k)
		}
	}
	return missing
}

// SEC-001: no literal credentials anywhere.

// credentialKeys are attribute names whose value is a credential.
var credentialKeys = []string{
	"password", "admin_password", "client_secret", "client_key", "client_certificate",
	"access_key", "primary_access_key", "secondary_access_key", "sas_token", "token",
	"private_key", "server_app_secret", "secret", "connection_string", "oidc_token",
}

// credentialPatterns recognise credentials by their shape wherever they are.
var credentialPatterns = []struct {
	name string
	re   *regexp.Regexp
}{
	{"a GitHub token", regexp.MustCompile(`\b(gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,})`)},
	{"a private key", regexp.MustCompile(`-----BEGIN [A-Z ]*PRIVATE KEY-----`)},
	{"a storage account key", regexp.MustCompile(`AccountKey=[A-Za-z0-9+/=]{20,}`)},
	{"a libp2p private key", regexp.MustCompile(`\bCAES[A-Za-z0-9+/]{40,}={0,2}`)},
	{"a JSON Web Token", regexp.MustCompile(`\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.`)},
}

// IsCredentialKey reports whether a literal under an attribute or map key
// (a tag too) of that name breaks SEC-001.
func IsCredentialKey(name string) bool { return slices.Contains(credentialKeys, name) }

// LooksLikeCredential says what s looks like when it has the shape of a
// credential, which SEC-001 refuses anywhere in a stack.
func LooksLikeCredential(s string) (what string, ok bool) {
	for _, p := range credentialPatterns {
		if p.re.MatchString(s) {
			return p.name, true
		}
	}
	return "", false
}

func checkCredentials(stack *stackjson.Stack) []Finding {
	var out []Finding
	report := func(path, address, msg string) {
		out = append(out, Finding{Rule: "SEC-001", Path: path, Address: address, Message: msg})
	}
	// walk visits v, the value of key; typ is the resource type ("" outside
	// resources), secretData whether v is within Kubernetes Secret data.
	var walk func(path, address, typ, key string, v any, secretData bool)
	walk = func(path, address, typ, key string, v any, secretData bool) {
		switch v := v.(type) {
		case map[string]any:
			for _, k := range slices.Sorted(maps.Keys(v)) {
				if k != "//" {
					walk(path, address, typ, k, v[k], secretData || isSecretData(typ, k))
				}
			}
		case []any:
			for _, e := range v {
				walk(path, address, typ, key, e, secretData)
			}
		case string:
			// "${" starts a Terraform expression: not a literal.
			if v == "" || strings.Contains(v, "${") {
				return
			}
			if secretData || IsCredentialKey(key) || (typ == "azurerm_key_vault_secret" && (key == "value" || key == "value_wo")) {
				report(path, address, fmt.Sprintf("%s is a literal; a credential must come from a sensitive variable", key))
				return
			}
			if what, ok := LooksLikeCredential(v); ok {
				report(path, address, fmt.Sprintf("%s holds what looks like %s", key, what))
			}
		}
	}
	for _, r := range stack.Resources("") {
		walk(r.ConstructPath(), r.Address(), r.Type, "", r.Attrs, false)
	}
	for _, section := range []string{"provider", "output", "locals", "terraform", "data"} {
		sec, _ := stack.JSON[section].(map[string]any)
		for _, name := range slices.Sorted(maps.Keys(sec)) {
			walk(section, section+"."+name, "", name, sec[name], false)
		}
	}
	// A sensitive variable must not carry a literal default: its value
	// would be in the configuration for everyone to read.
	for _, v := range stack.Blocks("variable", "") {
		sensitive, _ := v.Get("sensitive")
		def, hasDefault := v.Get("default")
		if s, ok := def.(string); sensitive == true && hasDefault && (!ok || s != "") {
			report("variable", "variable."+v.ID, "a sensitive variable has a literal default")
		}
	}
	return out
}

// SEC-002: secrets are written through write-only attributes.

// stateBoundSecretAttributes are the attributes that would keep a secret in
// state, by resource type, with the write-only attribute to use instead.
var stateBoundSecretAttributes = map[string]map[string]string{
	"azurerm_key_vault_secret": {"value": "value_wo"},
	"kubernetes_secret_v1":     {"data": "data_wo", "binary_data": "binary_data_wo"},
	"kubernetes_secret":        {"data": "data_wo", "binary_data": "binary_data_wo"},
}

func checkWriteOnlySecrets(r stackjson.Block, _ Options) []Finding {
	var out []Finding
	attrs := stateBoundSecretAttributes[r.Type]
	for _, k := range slices.Sorted(maps.Keys(attrs)) {
		if _, ok := r.Attrs[k]; ok {
			out = append(out, finding(r, "SEC-002", "%s keeps the secret in state and plans; write it through %s from an ephemeral variable", k, attrs[k]))
		}
	}
	return out
}

// isSecretData reports whether the attribute holds Kubernetes Secret data.
func isSecretData(typ, key string) bool {
	return strings.HasPrefix(typ, "kubernetes_secret") && (key == "data" || key == "binary_data" || key == "data_wo" || key == "binary_data_wo")
}
