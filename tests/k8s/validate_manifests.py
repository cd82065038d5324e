#!/usr/bin/python3
"""Offline validator of evalfleet's Kubernetes manifests (k8s/*.yaml) and Dockerfile.

Needs only Python 3 and PyYAML (Debian: python3-yaml; run it with /usr/bin/python3).
No cluster, no Docker engine, no network: it checks structure and the references between
the documents, so that an operator's `kubectl apply -k k8s/` does not fail or, worse,
deploy something that silently does nothing.

Prints one line per failed check (FAIL <file> doc <index> (<kind>/<name>) <field>: <why>)
and ends with "N passed, N failed". Exit status: 0 when nothing failed, 1 otherwise,
2 on a usage error.

    validate_manifests.py [--k8s DIR] [--dockerfile FILE | --no-dockerfile]
                          [--install-deps FILE] [--apt-cache auto|yes|no]
    validate_manifests.py --list-flags     # "SUBCOMMAND FLAG" pairs the manifests pass

Default paths are relative to the source tree that holds this file. The Debian package
check (apt-cache) runs only on a bookworm machine with apt lists, unless --apt-cache yes.
"""

import argparse
import base64
import binascii
import os
import re
import shutil
import subprocess
import sys

try:
    import yaml
except ImportError:  # pragma: no cover - depends on the machine
    print("validate_manifests: PyYAML is missing (Debian: apt-get install python3-yaml); "
          "run with /usr/bin/python3", file=sys.stderr)
    sys.exit(2)

NAMESPACE = "evalfleet"

# kind -> (apiVersion, namespaced). A kind not listed here fails: extend the table
# (and the checks) when the manifests grow a new kind.
KINDS = {
    "Namespace": ("v1", False),
    "ConfigMap": ("v1", True),
    "Secret": ("v1", True),
    "Service": ("v1", True),
    "PersistentVolumeClaim": ("v1", True),
    "Deployment": ("apps/v1", True),
    "StatefulSet": ("apps/v1", True),
    "Job": ("batch/v1", True),
    "NetworkPolicy": ("networking.k8s.io/v1", True),
    "PodDisruptionBudget": ("policy/v1", True),
    "Kafka": ("kafka.strimzi.io/v1beta2", True),
    "KafkaNodePool": ("kafka.strimzi.io/v1beta2", True),
    "KafkaTopic": ("kafka.strimzi.io/v1beta2", True),
    "ScaledObject": ("keda.sh/v1alpha1", True),
}
WORKLOADS = ("Deployment", "StatefulSet", "Job")
LONG_RUNNING = ("Deployment", "StatefulSet")

# The evalfleet CLI as the fleet roles define it: subcommand -> {flag: takes a value}.
COMMON = {"-b": True, "--redis": True, "-X": True}
SUBCOMMANDS = {
    "produce": dict(COMMON, **{"--spec": True, "--data": True, "--rows-topic": True,
                               "--shard": True}),
    "worker": dict(COMMON, **{"--group": True, "--rows-topic": True, "--results-topic": True,
                              "--max-inflight-rows": True, "--heartbeat": True,
                              "--drain-timeout": True, "--judge-cache-ttl": True,
                              "--judge-budget-rpm": True}),
    "aggregate": dict(COMMON, **{"--group": True, "--results-topic": True, "-o": True,
                                 "--run": True, "--exit-when-done": False,
                                 "--heartbeat": True}),
    "status": {"--redis": True},
    "results": {"--redis": True, "-o": True},
}
POSITIONAL = {"status": 1, "results": 1}  # RUN
ALIASES = {"--brokers": "-b", "--kafka-set": "-X", "--output": "-o"}  # the CLI's long forms
REPEATABLE = {"-X"}
DEFAULTS = {"--rows-topic": "evalfleet.rows", "--results-topic": "evalfleet.results",
            "worker --group": "evalfleet-workers", "aggregate --group": "evalfleet-aggregators"}
BROKERS_ENV, REDIS_ENV = "EVALFLEET_BROKERS", "EVALFLEET_REDIS"
JUDGE_KEY_ENVS = ("OPENAI_API_KEY", "AZURE_OPENAI_API_KEY", "AZURE_OPENAI_ENDPOINT",
                  "AZUREML_API_KEY")

# The Dockerfile's runtime stage must install these (Debian bookworm package names).
RUNTIME_PACKAGES = ["librdkafka1", "libcurl4", "libcjson1", "libhiredis0.14", "libevent-2.1-7",
                    "libyaml-0-2", "libutf8proc2", "libpcre2-8-0", "libxxhash0", "libstemmer0d",
                    "wordnet-base", "ca-certificates"]
# Build tools of scripts/install-deps.sh the build stage needs, and -dev packages there
# that only the tests need.
BUILD_TOOLS = {"build-essential", "cmake", "pkg-config"}
TEST_ONLY_PACKAGES = {"libcmocka-dev"}

PLACEHOLDER = re.compile(r"REPLACE|CHANGE[_-]?ME|PLACEHOLDER|<[^<>]+>|\bexample\b|^x+$|^\.\.\.$",
                         re.IGNORECASE)
SECRET_PATTERNS = [
    (re.compile(r"\bsk-[A-Za-z0-9_-]{16,}"), "an OpenAI-style key (sk-...)"),
    (re.compile(r"\bAKIA[0-9A-Z]{16}\b"), "an AWS access key id"),
    (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"), "a private key"),
    (re.compile(r"\bxox[abpr]-[A-Za-z0-9-]{10,}"), "a Slack token"),
    (re.compile(r"\bgh[pousr]_[A-Za-z0-9]{30,}"), "a GitHub token"),
]
HEX_KEY = re.compile(r"(?<![0-9a-fA-F])[0-9a-fA-F]{32,}(?![0-9a-fA-F])")
SECRETISH_NAME = re.compile(r"(^|_)(API_?KEY|KEY|TOKEN|PASSWORD|PASSWD|SECRET)$", re.IGNORECASE)
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
VAR_REF = re.compile(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")


class Report:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, ok, where, field, why):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL %s %s: %s" % (where, field, why))
        return bool(ok)

    def fail(self, where, field, why):
        return self.check(False, where, field, why)


class Doc:
    def __init__(self, path, rel, index, obj, order):
        self.path, self.rel, self.index, self.obj, self.order = path, rel, index, obj, order

    @property
    def kind(self):
        k = self.obj.get("kind") if isinstance(self.obj, dict) else None
        return k if isinstance(k, str) else None

    @property
    def name(self):
        meta = self.obj.get("metadata") if isinstance(self.obj, dict) else None
        n = meta.get("name") if isinstance(meta, dict) else None
        return n if isinstance(n, str) else None

    @property
    def where(self):
        return "%s doc %d (%s/%s)" % (self.rel, self.index, self.kind, self.name)


def get(obj, *keys, default=None):
    """obj[k1][k2]... or default when a level is missing or of the wrong type."""
    for k in keys:
        if isinstance(k, int):
            if not isinstance(obj, list) or k >= len(obj):
                return default
        elif not isinstance(obj, dict) or k not in obj:
            return default
        obj = obj[k]
    return obj


def as_list(v):
    return v if isinstance(v, list) else []


def as_dict(v):
    return v if isinstance(v, dict) else {}


def has(keys, k):
    return isinstance(k, str) and k in keys


def walk_strings(obj, path=""):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from walk_strings(v, "%s.%s" % (path, k) if path else str(k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from walk_strings(v, "%s[%d]" % (path, i))
    elif isinstance(obj, str):
        yield path, obj


def quantity(v, memory):
    """Kubernetes quantity -> float (cores or bytes); None when malformed."""
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return float(v)
    if not isinstance(v, str):
        return None
    m = re.fullmatch(r"([0-9]+(?:\.[0-9]+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?", v.strip())
    if not m:
        return None
    mult = {None: 1, "m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18,
            "Ki": 2 ** 10, "Mi": 2 ** 20, "Gi": 2 ** 30, "Ti": 2 ** 40, "Pi": 2 ** 50,
            "Ei": 2 ** 60}[m.group(2)]
    if memory and m.group(2) == "m":
        return None  # "128m" of memory is 0.128 bytes: always a typo
    return float(m.group(1)) * mult


def redis_bytes(v):
    """Redis memory setting (1536mb, 2gb, 100m ...) -> bytes; None when malformed."""
    m = re.fullmatch(r"(\d+)(b|k|kb|m|mb|g|gb)?", str(v or "").strip().lower())
    if not m:
        return None
    return int(m.group(1)) * {None: 1, "b": 1, "k": 1000, "kb": 1024, "m": 10 ** 6,
                              "mb": 2 ** 20, "g": 10 ** 9, "gb": 2 ** 30}[m.group(2)]


def host_port(addr):
    addr = addr.strip()
    m = re.fullmatch(r"(?:[a-z]+://)?([^:/\s]+)(?::(\d+))?/?(?:\d+)?", addr)
    if not m:
        return None, None
    return m.group(1), int(m.group(2)) if m.group(2) else None


class Validator:
    def __init__(self, k8s_dir, report):
        self.dir = k8s_dir
        self.r = report
        self.docs = []
        self.by = {}          # (kind, name) -> Doc
        self.kustomization = None
        self.files = []
        self.run_ids = set()

    # ------------------------------------------------------------------ loading
    def load(self):
        names = sorted(n for n in os.listdir(self.dir) if n.endswith((".yaml", ".yml")))
        self.r.check(names, self.dir, "files", "no *.yaml manifests found")
        for n in names:
            path = os.path.join(self.dir, n)
            rel = os.path.join(os.path.basename(os.path.normpath(self.dir)), n)
            if n in ("kustomization.yaml", "kustomization.yml"):
                order = 10 ** 6
            else:
                m = re.match(r"^(\d\d)-[a-z0-9-]+\.yaml$", n)
                self.r.check(m, rel, "file name",
                             "must be NN-name.yaml (two-digit apply order, lowercase, .yaml)")
                order = int(m.group(1)) if m else 10 ** 5
            self.files.append((n, rel, order))
            try:
                with open(path, encoding="utf-8") as f:
                    text = f.read()
                objs = list(yaml.safe_load_all(text))
            except (yaml.YAMLError, UnicodeDecodeError) as e:
                self.r.fail(rel, "yaml", "does not parse: %s" % str(e).replace("\n", " "))
                continue
            self.scan_text(rel, text)
            docs = [o for o in objs if o is not None]
            self.r.check(docs, rel, "documents", "the file holds no document")
            for i, o in enumerate(docs):
                d = Doc(path, rel, i, o, order)
                if not self.r.check(isinstance(o, dict), "%s doc %d" % (rel, i), "document",
                                    "is not a mapping"):
                    continue
                if o.get("kind") == "Kustomization":
                    self.r.check(self.kustomization is None, d.where, "kind",
                                 "more than one Kustomization")
                    self.kustomization = d
                    continue
                self.docs.append(d)
                key = (d.kind, d.name)
                if d.kind and d.name:
                    self.r.check(key not in self.by, d.where, "metadata.name",
                                 "%s %s is defined twice (also in %s)" %
                                 (d.kind, d.name, self.by[key].rel if key in self.by else ""))
                    self.by.setdefault(key, d)

    def scan_text(self, rel, text):
        for pat, what in SECRET_PATTERNS:
            for m in pat.finditer(text):
                line = text.count("\n", 0, m.start()) + 1
                self.r.fail(rel, "line %d" % line, "looks like %s: no secrets in manifests" % what)

    # ------------------------------------------------------------------ helpers
    def find(self, kind, name):
        return self.by.get((kind, name)) if isinstance(name, str) else None

    def ref(self, doc, field, kind, name, optional=False):
        """A reference from doc to kind/name: it must exist, in this or an earlier file."""
        if not self.r.check(isinstance(name, str) and name, doc.where, field,
                            "must name a %s (a string)" % kind):
            return None
        target = self.find(kind, name)
        if optional and target is None:
            return None
        if not self.r.check(target is not None, doc.where, field,
                            "refers to %s %r, which no file in k8s/ defines" % (kind, name)):
            return None
        self.r.check(target.order <= doc.order, doc.where, field,
                     "refers to %s %s defined in %s, which is applied later" %
                     (kind, name, target.rel))
        return target

    def kafka_names(self):
        return [d.name for d in self.docs if d.kind == "Kafka" and d.name]

    def topic(self, name):
        for d in self.docs:
            if d.kind == "KafkaTopic" and (get(d.obj, "spec", "topicName") or d.name) == name:
                return d
        return None

    def broker_count(self, kafka):
        n = 0
        for d in self.docs:
            if d.kind == "KafkaNodePool" and get(d.obj, "metadata", "labels",
                                                 "strimzi.io/cluster") == kafka:
                if "broker" in as_list(get(d.obj, "spec", "roles")):
                    r = get(d.obj, "spec", "replicas")
                    n += r if isinstance(r, int) else 0
        return n

    # ------------------------------------------------------------------ checks
    def run(self):
        self.load()
        self.collect_run_ids()
        for d in self.docs:
            try:
                self.check_generic(d)
                fn = getattr(self, "check_" + (d.kind or "unknown"), None)
                if fn:
                    fn(d)
                if d.kind in WORKLOADS:
                    self.check_workload(d)
            except Exception as e:  # a malformed document must fail, not crash
                self.r.fail(d.where, "document", "validator error on malformed input: %r" % e)
        for fn in (self.check_kustomization, self.check_namespace_first):
            try:
                fn()
            except Exception as e:  # malformed input must fail, not crash
                self.r.fail(self.dir, fn.__name__, "validator error on malformed input: %r" % e)

    def collect_run_ids(self):
        for d in self.docs:
            if d.kind == "ConfigMap":
                for k, v in as_dict(get(d.obj, "data")).items():
                    if isinstance(v, str) and k.endswith((".yaml", ".yml")):
                        try:
                            spec = yaml.safe_load(v)
                        except yaml.YAMLError:
                            continue
                        if isinstance(spec, dict) and "run_id" in spec:
                            self.run_ids.add(str(spec["run_id"]))

    def check_generic(self, d):
        o = d.obj
        kind, api = o.get("kind"), o.get("apiVersion")
        self.r.check(isinstance(api, str) and api, d.where, "apiVersion", "missing")
        if not self.r.check(isinstance(kind, str) and kind, d.where, "kind", "missing"):
            return
        meta = o.get("metadata")
        if not self.r.check(isinstance(meta, dict), d.where, "metadata", "missing"):
            return
        name = meta.get("name")
        if self.r.check(isinstance(name, str) and name, d.where, "metadata.name", "missing"):
            self.r.check(len(name) <= 253 and DNS_SUBDOMAIN.match(name), d.where,
                         "metadata.name", "%r is not a valid DNS subdomain name" % name)
        known = KINDS.get(kind)
        if not self.r.check(known, d.where, "kind",
                            "%s is not a kind this validator knows; add it to KINDS" % kind):
            return
        self.r.check(api == known[0], d.where, "apiVersion",
                     "%s must be %s, not %s" % (kind, known[0], api))
        if known[1]:
            self.r.check(meta.get("namespace") == NAMESPACE, d.where, "metadata.namespace",
                         "must be %s (got %r)" % (NAMESPACE, meta.get("namespace")))
        else:
            self.r.check("namespace" not in meta, d.where, "metadata.namespace",
                         "%s is cluster-scoped" % kind)
        for part in ("labels", "annotations"):
            self.r.check(isinstance(meta.get(part, {}), dict), d.where, "metadata.%s" % part,
                         "must be a mapping")
            for k, v in as_dict(meta.get(part)).items():
                self.r.check(isinstance(v, str), d.where, "metadata.%s.%s" % (part, k),
                             "must be a string (quote it): %r" % (v,))
        for path, s in walk_strings(o):
            if s.startswith("sha256:"):
                continue
            if HEX_KEY.search(s) and not PLACEHOLDER.search(s):
                self.r.fail(d.where, path, "a long hex string looks like a key: no secrets")

    def check_Namespace(self, d):
        self.r.check(d.name == NAMESPACE, d.where, "metadata.name", "must be %s" % NAMESPACE)

    def check_namespace_first(self):
        ns = self.find("Namespace", NAMESPACE)
        if not self.r.check(ns, self.dir, "Namespace", "no Namespace %s is defined" % NAMESPACE):
            return
        first = min(d.order for d in self.docs)
        self.r.check(ns.order == first, ns.where, "file",
                     "the Namespace must be in the first file applied")

    def check_ConfigMap(self, d):
        for k, v in as_dict(get(d.obj, "data")).items():
            if not self.r.check(isinstance(v, str), d.where, "data.%s" % k,
                                "ConfigMap values must be strings (quote it)"):
                continue
            self.r.check(not SECRETISH_NAME.search(k) or PLACEHOLDER.search(v), d.where,
                         "data.%s" % k, "secret-like key in a ConfigMap: use a Secret")
            if k.endswith((".yaml", ".yml")):
                self.check_run_spec(d, k, v)

    def check_run_spec(self, d, key, text):
        field = "data.%s" % key
        try:
            spec = yaml.safe_load(text)
        except yaml.YAMLError as e:
            self.r.fail(d.where, field, "embedded YAML does not parse: %s" %
                        str(e).replace("\n", " "))
            return
        if not isinstance(spec, dict) or "evaluators" not in spec:
            return  # not a run spec
        self.r.check(isinstance(spec.get("run_id"), str) and spec.get("run_id"), d.where,
                     field + ".run_id", "a fleet run spec needs a run_id (Redis keys use it)")
        self.r.check(isinstance(spec.get("evaluators"), list) and spec["evaluators"], d.where,
                     field + ".evaluators", "must be a non-empty list")
        for ep in ("judge", "target"):
            for k, v in as_dict(spec.get(ep)).items():
                if k in ("key_env", "key_file"):
                    continue
                self.r.check(not re.search(r"key|token|password|secret", k, re.I), d.where,
                             "%s.%s.%s" % (field, ep, k),
                             "keys never go in the spec: use key_env (from a Secret) or key_file")

    def check_Secret(self, d):
        o = d.obj
        self.r.check(isinstance(o.get("type", "Opaque"), str), d.where, "type", "must be a string")
        for k, v in as_dict(o.get("stringData")).items():
            if not self.r.check(isinstance(v, str), d.where, "stringData.%s" % k,
                                "must be a string"):
                continue
            self.r.check(v == "" or PLACEHOLDER.search(v), d.where, "stringData.%s" % k,
                         "is not an obvious placeholder (REPLACE_ME ...): no real secrets in k8s/")
        for k, v in as_dict(o.get("data")).items():
            try:
                plain = base64.b64decode(str(v), validate=True).decode("utf-8", "replace")
            except (binascii.Error, ValueError):
                self.r.fail(d.where, "data.%s" % k, "is not valid base64")
                continue
            self.r.check(plain == "" or PLACEHOLDER.search(plain), d.where, "data.%s" % k,
                         "is not an obvious placeholder (REPLACE_ME ...): no real secrets in k8s/")

    def secret_keys(self, name):
        s = self.find("Secret", name)
        if not s:
            return set()
        return set(as_dict(get(s.obj, "stringData"))) | set(as_dict(get(s.obj, "data")))

    def configmap_keys(self, name):
        c = self.find("ConfigMap", name)
        return (set(as_dict(get(c.obj, "data"))) | set(as_dict(get(c.obj, "binaryData")))
                if c else set())

    def check_PersistentVolumeClaim(self, d):
        self.check_pvc_spec(d, get(d.obj, "spec"), "spec")

    def check_pvc_spec(self, d, spec, field):
        modes = as_list(get(spec, "accessModes"))
        self.r.check(modes and all(m in ("ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany",
                                         "ReadWriteOncePod") for m in modes),
                     d.where, field + ".accessModes", "missing or invalid")
        self.r.check(quantity(get(spec, "resources", "requests", "storage"), True), d.where,
                     field + ".resources.requests.storage", "missing or not a quantity")

    def pod_templates(self):
        for d in self.docs:
            if d.kind in WORKLOADS:
                yield d, as_dict(get(d.obj, "spec", "template", "metadata", "labels"))

    def check_Service(self, d):
        sel = as_dict(get(d.obj, "spec", "selector"))
        if not self.r.check(sel, d.where, "spec.selector", "missing: the Service selects no pod"):
            return
        matches = [(w, l) for w, l in self.pod_templates()
                   if all(l.get(k) == v for k, v in sel.items())]
        self.r.check(matches, d.where, "spec.selector",
                     "selects no pod template defined in k8s/")
        for i, p in enumerate(as_list(get(d.obj, "spec", "ports"))):
            self.r.check(isinstance(get(p, "port"), int), d.where, "spec.ports[%d].port" % i,
                         "missing")
            tp = get(p, "targetPort")
            if isinstance(tp, str) and matches:
                names = {str(get(cp, "name")) for w, _ in matches
                         for c in as_list(get(w.obj, "spec", "template", "spec", "containers"))
                         for cp in as_list(get(c, "ports"))}
                self.r.check(tp in names, d.where, "spec.ports[%d].targetPort" % i,
                             "no container port named %r in the selected pods" % tp)

    def check_NetworkPolicy(self, d):
        sel = get(d.obj, "spec", "podSelector")
        if not self.r.check(isinstance(sel, dict), d.where, "spec.podSelector", "missing"):
            return
        ml = as_dict(sel.get("matchLabels"))
        if ml:
            self.r.check(any(all(l.get(k) == v for k, v in ml.items())
                             for _, l in self.pod_templates()), d.where,
                         "spec.podSelector.matchLabels", "selects no pod template in k8s/")

    def check_PodDisruptionBudget(self, d):
        ml = as_dict(get(d.obj, "spec", "selector", "matchLabels"))
        self.r.check(ml and any(all(l.get(k) == v for k, v in ml.items())
                                for _, l in self.pod_templates()), d.where,
                     "spec.selector.matchLabels", "selects no pod template in k8s/")

    # ------------------------------------------------------------------ Strimzi
    def cluster_label(self, d):
        c = get(d.obj, "metadata", "labels", "strimzi.io/cluster")
        if self.r.check(c, d.where, "metadata.labels.strimzi.io/cluster",
                        "missing: Strimzi ignores the resource"):
            if self.r.check(c in self.kafka_names(), d.where,
                            "metadata.labels.strimzi.io/cluster",
                            "%r names no Kafka resource (defined: %s)" %
                            (c, ", ".join(self.kafka_names()) or "none")):
                self.ref(d, "metadata.labels.strimzi.io/cluster", "Kafka", c)
        return c

    def check_Kafka(self, d):
        ann = as_dict(get(d.obj, "metadata", "annotations"))
        for a in ("strimzi.io/kraft", "strimzi.io/node-pools"):
            self.r.check(ann.get(a) == "enabled", d.where, "metadata.annotations.%s" % a,
                         "must be \"enabled\" (KRaft with node pools)")
        listeners = as_list(get(d.obj, "spec", "kafka", "listeners"))
        if self.r.check(listeners, d.where, "spec.kafka.listeners", "missing"):
            for i, l in enumerate(listeners):
                for k in ("name", "port", "type"):
                    self.r.check(get(l, k) is not None, d.where,
                                 "spec.kafka.listeners[%d].%s" % (i, k), "missing")
        self.r.check(get(d.obj, "spec", "zookeeper") is None, d.where, "spec.zookeeper",
                     "KRaft mode: no ZooKeeper")
        if any(x.kind == "KafkaTopic" for x in self.docs):
            self.r.check(get(d.obj, "spec", "entityOperator", "topicOperator") is not None,
                         d.where, "spec.entityOperator.topicOperator",
                         "needed for the KafkaTopic resources to become topics")
        pools = [x for x in self.docs if x.kind == "KafkaNodePool"
                 and get(x.obj, "metadata", "labels", "strimzi.io/cluster") == d.name]
        roles = {r for p in pools for r in as_list(get(p.obj, "spec", "roles"))
                 if isinstance(r, str)}
        self.r.check({"controller", "broker"} <= roles, d.where, "KafkaNodePool",
                     "node pools of this cluster must provide the controller and broker roles "
                     "(have: %s)" % (", ".join(sorted(roles)) or "none"))

    def check_KafkaNodePool(self, d):
        self.cluster_label(d)
        spec = as_dict(get(d.obj, "spec"))
        r = spec.get("replicas")
        self.r.check(isinstance(r, int) and r >= 1, d.where, "spec.replicas", "missing or < 1")
        roles = as_list(spec.get("roles"))
        self.r.check(roles and all(r in ("controller", "broker") for r in roles), d.where,
                     "spec.roles",
                     "must be a non-empty subset of controller, broker")
        for part in ("requests", "limits"):
            for r in ("cpu", "memory"):
                v = get(spec, "resources", part, r)
                if v is not None:
                    self.r.check(quantity(v, r == "memory") is not None and
                                 (r == "cpu" or isinstance(v, str)), d.where,
                                 "spec.resources.%s.%s" % (part, r), "not a quantity")
        st = as_dict(spec.get("storage"))
        vols = as_list(st.get("volumes")) if st.get("type") == "jbod" else [st]
        self.r.check(vols and all(get(v, "type") == "persistent-claim" and
                                  quantity(get(v, "size"), True) for v in vols),
                     d.where, "spec.storage", "must be persistent-claim storage with a size "
                     "(ephemeral storage loses every row on a restart)")

    def check_KafkaTopic(self, d):
        cluster = self.cluster_label(d)
        name = get(d.obj, "spec", "topicName") or d.name
        self.r.check(isinstance(name, str) and re.fullmatch(r"[A-Za-z0-9._-]{1,249}", name),
                     d.where, "metadata.name", "not a valid Kafka topic name")
        spec = as_dict(get(d.obj, "spec"))
        p, rf = spec.get("partitions"), spec.get("replicas")
        self.r.check(isinstance(p, int) and p >= 1, d.where, "spec.partitions", "missing or < 1")
        if self.r.check(isinstance(rf, int) and rf >= 1, d.where, "spec.replicas",
                        "missing or < 1"):
            brokers = self.broker_count(cluster)
            self.r.check(rf <= brokers, d.where, "spec.replicas",
                         "%d replicas but the cluster has %d brokers" % (rf, brokers))
            isr = get(spec, "config", "min.insync.replicas")
            if isr is not None:
                self.r.check(isinstance(isr, int) and isr < rf or rf == 1, d.where,
                             "spec.config.min.insync.replicas",
                             "must be below replicas, or one broker down stops producers")
        cfg = as_dict(spec.get("config"))
        for k, v in cfg.items():
            self.r.check(isinstance(v, (str, int, float, bool)), d.where, "spec.config.%s" % k,
                         "must be a scalar")
        self.r.check("retention.ms" in cfg or "retention.bytes" in cfg, d.where,
                     "spec.config.retention.ms", "set an explicit retention")

    # ------------------------------------------------------------------ KEDA
    def check_ScaledObject(self, d):
        spec = as_dict(get(d.obj, "spec"))
        tref = as_dict(spec.get("scaleTargetRef"))
        kind = tref.get("kind", "Deployment")
        self.r.check(kind == "Deployment", d.where, "spec.scaleTargetRef.kind",
                     "the workers are a Deployment")
        target = self.ref(d, "spec.scaleTargetRef.name", "Deployment", tref.get("name"))
        mn, mx = spec.get("minReplicaCount", 0), spec.get("maxReplicaCount", 100)
        self.r.check(isinstance(mn, int) and isinstance(mx, int) and 0 <= mn <= mx and mx >= 1,
                     d.where, "spec.minReplicaCount/maxReplicaCount",
                     "need 0 <= min <= max, max >= 1")
        worker = None
        if target:
            self.r.check("replicas" not in as_dict(get(target.obj, "spec")), target.where,
                         "spec.replicas", "KEDA owns the replica count of %s: leave replicas "
                         "out or every apply resets it" % target.name)
            for c in as_list(get(target.obj, "spec", "template", "spec", "containers")):
                parsed = self.parse_args(c)
                if parsed and parsed[0] == "worker":
                    worker = parsed
            self.r.check(worker, d.where, "spec.scaleTargetRef.name",
                         "%s runs no `evalfleet worker` container" % tref.get("name"))
        triggers = as_list(spec.get("triggers"))
        if not self.r.check(triggers, d.where, "spec.triggers", "missing"):
            return
        for i, t in enumerate(triggers):
            f = "spec.triggers[%d]" % i
            if not self.r.check(get(t, "type") == "kafka", d.where, f + ".type",
                                "the workers scale on Kafka lag (type: kafka)"):
                continue
            md = as_dict(get(t, "metadata"))
            for k, v in md.items():
                self.r.check(isinstance(v, str), d.where, "%s.metadata.%s" % (f, k),
                             "KEDA metadata values must be strings (quote it)")
            for k in ("bootstrapServers", "consumerGroup", "topic", "lagThreshold"):
                self.r.check(md.get(k), d.where, "%s.metadata.%s" % (f, k), "missing")
            lt = str(md.get("lagThreshold", ""))
            self.r.check(lt.isdigit() and int(lt) > 0, d.where, f + ".metadata.lagThreshold",
                         "must be a positive integer")
            self.check_brokers(d, f + ".metadata.bootstrapServers", md.get("bootstrapServers"))
            topic = md.get("topic")
            tdoc = self.topic(topic) if isinstance(topic, str) else None
            if self.r.check(tdoc, d.where, f + ".metadata.topic",
                            "%r is not a KafkaTopic defined in k8s/" % topic):
                parts = get(tdoc.obj, "spec", "partitions")
                if isinstance(parts, int) and isinstance(mx, int):
                    self.r.check(mx <= parts, d.where, "spec.maxReplicaCount",
                                 "%d > %d partitions of %s: workers beyond the partition count "
                                 "get no partition and sit idle" % (mx, parts, topic))
            if worker:
                opts = worker[1]
                group = opts.get("--group", [DEFAULTS["worker --group"]])[-1]
                rows = opts.get("--rows-topic", [DEFAULTS["--rows-topic"]])[-1]
                self.r.check(md.get("consumerGroup") == group, d.where,
                             f + ".metadata.consumerGroup",
                             "%r is not the workers' --group %r" % (md.get("consumerGroup"), group))
                self.r.check(topic == rows, d.where, f + ".metadata.topic",
                             "%r is not the workers' --rows-topic %r" % (topic, rows))
                reset = "earliest"  # evalfleet's consumers default to earliest
                for x in opts.get("-X", []):
                    k, _, v = x.partition("=")
                    if k == "auto.offset.reset":
                        reset = {"smallest": "earliest", "beginning": "earliest",
                                 "largest": "latest", "end": "latest"}.get(v, v)
                self.r.check(md.get("offsetResetPolicy", "latest") == reset, d.where,
                             f + ".metadata.offsetResetPolicy",
                             "must match the workers' auto.offset.reset (%s)" % reset)

    def check_brokers(self, d, field, value):
        if not isinstance(value, str) or not value:
            return
        kafkas = self.kafka_names()
        for addr in value.split(","):
            host, port = host_port(addr)
            ok = False
            for k in kafkas:
                svc = "%s-kafka-bootstrap" % k
                if host in (svc, "%s.%s" % (svc, NAMESPACE), "%s.%s.svc" % (svc, NAMESPACE),
                            "%s.%s.svc.cluster.local" % (svc, NAMESPACE)):
                    ports = [get(l, "port") for l in
                             as_list(get(self.find("Kafka", k).obj, "spec", "kafka", "listeners"))]
                    ok = ok or port in ports
            self.r.check(ok, d.where, field, "%r is not the bootstrap service and a listener "
                         "port of a Kafka in k8s/ (<kafka>-kafka-bootstrap:<port>)" % addr.strip())

    def check_redis_url(self, d, field, value):
        m = re.fullmatch(r"rediss?://(?:[^@/]*@)?([^:/]+)(?::(\d+))?(?:/\d+)?", value or "")
        if not self.r.check(m, d.where, field, "%r is not a redis:// URL" % value):
            return
        host = m.group(1).split(".")[0]
        port = int(m.group(2) or 6379)
        svc = self.find("Service", host)
        if self.r.check(svc, d.where, field, "host %r is not a Service in k8s/" % m.group(1)):
            ports = [get(p, "port") for p in as_list(get(svc.obj, "spec", "ports"))]
            self.r.check(port in ports, d.where, field,
                         "Service %s has no port %d" % (host, port))
        self.r.check("@" not in value or PLACEHOLDER.search(value), d.where, field,
                     "a password in a Redis URL is a secret: build the URL from a Secret")
        if svc:
            self.check_reachable(d, field, svc, port)

    def check_reachable(self, d, field, svc, port):
        """The client pods of d may reach svc's pods on port under the NetworkPolicies."""
        sel = as_dict(get(svc.obj, "spec", "selector"))
        targets = [l for _, l in self.pod_templates() if sel and
                   all(l.get(k) == v for k, v in sel.items())]
        client = as_dict(get(d.obj, "spec", "template", "metadata", "labels"))

        def selects(selector, labels):
            ml = as_dict(get(selector, "matchLabels"))
            return all(labels.get(k) == v for k, v in ml.items())

        for t in targets:
            policies = [n for n in self.docs if n.kind == "NetworkPolicy"
                        and selects(get(n.obj, "spec", "podSelector"), t)
                        and ("Ingress" in as_list(get(n.obj, "spec", "policyTypes"))
                             or "ingress" in as_dict(get(n.obj, "spec")))]
            if not policies:
                continue
            ok = False
            for n in policies:
                for rule in as_list(get(n.obj, "spec", "ingress")):
                    if not isinstance(rule, dict):
                        continue
                    ports = as_list(get(rule, "ports"))
                    port_ok = not ports or any(get(pp, "port") in (port, None) or
                                               isinstance(get(pp, "port"), str) for pp in ports)
                    srcs = get(rule, "from")
                    src_ok = srcs is None or any(
                        "podSelector" in as_dict(src) and "namespaceSelector" not in src and
                        selects(src["podSelector"], client) for src in as_list(srcs))
                    ok = ok or (port_ok and src_ok)
            self.r.check(ok, d.where, field, "NetworkPolicy %s blocks these pods from %s:%s "
                         "(their labels match no ingress rule)" %
                         (", ".join(str(n.name) for n in policies), svc.name, port))

    # ------------------------------------------------------------------ workloads
    def check_workload(self, d):
        spec = as_dict(get(d.obj, "spec"))
        tmpl = as_dict(spec.get("template"))
        labels = as_dict(get(tmpl, "metadata", "labels"))
        for k, v in labels.items():
            self.r.check(isinstance(v, str), d.where, "spec.template.metadata.labels.%s" % k,
                         "must be a string (quote it): %r" % (v,))
        sel = get(spec, "selector", "matchLabels")
        if d.kind != "Job" or sel is not None:
            if self.r.check(isinstance(sel, dict) and sel, d.where,
                            "spec.selector.matchLabels", "missing"):
                for k, v in sel.items():
                    self.r.check(labels.get(k) == v, d.where,
                                 "spec.selector.matchLabels.%s" % k,
                                 "%r does not match the template label %r" % (v, labels.get(k)))
        pod = as_dict(tmpl.get("spec"))
        containers = as_list(pod.get("containers"))
        if not self.r.check(containers, d.where, "spec.template.spec.containers", "missing"):
            return
        rp = pod.get("restartPolicy")
        if d.kind == "Job":
            self.r.check(rp in ("Never", "OnFailure"), d.where,
                         "spec.template.spec.restartPolicy", "a Job needs Never or OnFailure")
            self.r.check(isinstance(spec.get("backoffLimit"), int), d.where, "spec.backoffLimit",
                         "set it explicitly")
        else:
            self.r.check(rp in (None, "Always"), d.where, "spec.template.spec.restartPolicy",
                         "must be Always")
        volumes = {}
        for i, v in enumerate(as_list(pod.get("volumes"))):
            if self.r.check(isinstance(get(v, "name"), str), d.where,
                            "spec.template.spec.volumes[%d].name" % i, "missing"):
                volumes[v["name"]] = v
        claim_templates = {get(v, "metadata", "name") for v in
                           as_list(spec.get("volumeClaimTemplates"))
                           if isinstance(get(v, "metadata", "name"), str)}
        for i, v in enumerate(as_list(spec.get("volumeClaimTemplates"))):
            self.check_pvc_spec(d, get(v, "spec"), "spec.volumeClaimTemplates[%d].spec" % i)
        self.check_volumes(d, pod)
        if d.kind == "StatefulSet":
            self.ref(d, "spec.serviceName", "Service", spec.get("serviceName"))
        psc = as_dict(pod.get("securityContext"))
        all_c = [("containers", i, c) for i, c in enumerate(containers)] + \
                [("initContainers", i, c) for i, c in enumerate(as_list(pod.get("initContainers")))]
        for part, i, c in all_c:
            f = "spec.template.spec.%s[%d]" % (part, i)
            self.check_container(d, f, c, part == "containers", volumes, claim_templates, psc, pod)

    def check_volumes(self, d, pod):
        for i, v in enumerate(as_list(pod.get("volumes"))):
            f = "spec.template.spec.volumes[%d]" % i
            v = as_dict(v)
            sources = [k for k in v if k != "name"]
            self.r.check(len(sources) == 1, d.where, f,
                         "needs exactly one volume source (got %s); without one Kubernetes "
                         "silently uses an empty emptyDir" % (", ".join(sources) or "none"))
            if "sizeLimit" in as_dict(v.get("emptyDir")):
                self.r.check(quantity(v["emptyDir"]["sizeLimit"], True), d.where,
                             f + ".emptyDir.sizeLimit", "not a quantity")
            if "configMap" in v:
                cm = get(v, "configMap", "name")
                opt = get(v, "configMap", "optional") is True
                if self.ref(d, f + ".configMap.name", "ConfigMap", cm, opt):
                    keys = self.configmap_keys(cm)
                    for j, it in enumerate(as_list(get(v, "configMap", "items"))):
                        self.r.check(has(keys, get(it, "key")), d.where,
                                     "%s.configMap.items[%d].key" % (f, j),
                                     "ConfigMap %s has no key %r" % (cm, get(it, "key")))
            if "secret" in v:
                s = get(v, "secret", "secretName")
                if self.ref(d, f + ".secret.secretName", "Secret", s,
                            get(v, "secret", "optional") is True):
                    keys = self.secret_keys(s)
                    for j, it in enumerate(as_list(get(v, "secret", "items"))):
                        self.r.check(has(keys, get(it, "key")), d.where,
                                     "%s.secret.items[%d].key" % (f, j),
                                     "Secret %s has no key %r" % (s, get(it, "key")))
            if "persistentVolumeClaim" in v:
                self.ref(d, f + ".persistentVolumeClaim.claimName", "PersistentVolumeClaim",
                         get(v, "persistentVolumeClaim", "claimName"))
            for j, src in enumerate(as_list(get(v, "projected", "sources"))):
                if "configMap" in src:
                    self.ref(d, "%s.projected.sources[%d].configMap.name" % (f, j), "ConfigMap",
                             get(src, "configMap", "name"),
                             get(src, "configMap", "optional") is True)
                if "secret" in src:
                    self.ref(d, "%s.projected.sources[%d].secret.name" % (f, j), "Secret",
                             get(src, "secret", "name"), get(src, "secret", "optional") is True)

    def container_env(self, d, f, c):
        """name -> (value or None, source) for everything the container's env defines."""
        env = {}
        for j, ef in enumerate(as_list(c.get("envFrom"))):
            ef = as_dict(ef)
            if "configMapRef" in ef:
                name = get(ef, "configMapRef", "name")
                cm = self.ref(d, "%s.envFrom[%d].configMapRef.name" % (f, j), "ConfigMap", name,
                              get(ef, "configMapRef", "optional") is True)
                for k, v in as_dict(get(cm.obj, "data") if cm else None).items():
                    env[k] = (v, "configmap")
            elif "secretRef" in ef:
                name = get(ef, "secretRef", "name")
                self.ref(d, "%s.envFrom[%d].secretRef.name" % (f, j), "Secret", name,
                         get(ef, "secretRef", "optional") is True)
                for k in self.secret_keys(name):
                    env[k] = (None, "secret")
            else:
                self.r.fail(d.where, "%s.envFrom[%d]" % (f, j), "needs configMapRef or secretRef")
        for j, e in enumerate(as_list(c.get("env"))):
            e = as_dict(e)
            n = get(e, "name")
            ef = "%s.env[%d]" % (f, j)
            if "value" in e:
                v = e["value"]
                self.r.check(isinstance(v, str), d.where, ef + ".value",
                             "must be a string (quote it)")
                self.r.check(not (isinstance(n, str) and SECRETISH_NAME.search(n))
                             and n not in JUDGE_KEY_ENVS, d.where, ef + ".value",
                             "%s is a secret: take it from a Secret (valueFrom.secretKeyRef)" % n)
                env[n] = (v, "literal")
                continue
            vf = as_dict(e.get("valueFrom"))
            if "secretKeyRef" in vf:
                s, k = get(vf, "secretKeyRef", "name"), get(vf, "secretKeyRef", "key")
                opt = get(vf, "secretKeyRef", "optional") is True
                if self.ref(d, ef + ".valueFrom.secretKeyRef.name", "Secret", s, opt):
                    self.r.check(has(self.secret_keys(s), k), d.where,
                                 ef + ".valueFrom.secretKeyRef.key",
                                 "Secret %s has no key %r" % (s, k))
                env[n] = (None, "secret")
            elif "configMapKeyRef" in vf:
                cmn, k = get(vf, "configMapKeyRef", "name"), get(vf, "configMapKeyRef", "key")
                opt = get(vf, "configMapKeyRef", "optional") is True
                cm = self.ref(d, ef + ".valueFrom.configMapKeyRef.name", "ConfigMap", cmn, opt)
                if cm:
                    self.r.check(has(self.configmap_keys(cmn), k), d.where,
                                 ef + ".valueFrom.configMapKeyRef.key",
                                 "ConfigMap %s has no key %r" % (cmn, k))
                    env[n] = (get(cm.obj, "data", k), "configmap")
                self.r.check(not (isinstance(n, str) and SECRETISH_NAME.search(n)), d.where,
                             ef, "%s is a secret: take it from a Secret, not a ConfigMap" % n)
            elif vf:
                env[n] = (None, "field")
            else:
                self.r.fail(d.where, ef, "needs value or valueFrom")
        return env

    def check_container(self, d, f, c, main, volumes, claim_templates, psc, pod):
        if not self.r.check(isinstance(c, dict), d.where, f, "is not a mapping"):
            return
        self.r.check(isinstance(c.get("name"), str) and c.get("name"), d.where, f + ".name",
                     "missing")
        self.r.check(isinstance(c.get("image"), str) and c.get("image"), d.where, f + ".image",
                     "missing")
        res = as_dict(c.get("resources"))
        for part in ("requests", "limits"):
            for r in ("cpu", "memory"):
                self.r.check(quantity(get(res, part, r), r == "memory") is not None, d.where,
                             "%s.resources.%s.%s" % (f, part, r), "missing or not a quantity")
        for r in ("cpu", "memory"):
            req = quantity(get(res, "requests", r), r == "memory")
            lim = quantity(get(res, "limits", r), r == "memory")
            if req is not None and lim is not None:
                self.r.check(req <= lim, d.where, "%s.resources.requests.%s" % (f, r),
                             "request above the limit")
        for part in ("command", "args"):
            self.r.check(isinstance(c.get(part, []), list), d.where, "%s.%s" % (f, part),
                         "must be a list of strings")
            for j, a in enumerate(as_list(c.get(part))):
                self.r.check(isinstance(a, str), d.where, "%s.%s[%d]" % (f, part, j),
                             "must be a string (quote it: YAML reads yes/no/on/numbers "
                             "as other types): %r" % (a,))
        if main and d.kind in LONG_RUNNING:
            for p in ("livenessProbe", "readinessProbe"):
                self.r.check(isinstance(c.get(p), dict), d.where, "%s.%s" % (f, p),
                             "missing on a long-running container")
        for p in ("startupProbe", "livenessProbe", "readinessProbe"):
            if p in c:
                self.check_probe(d, "%s.%s" % (f, p), c.get(p))
        image = c.get("image")
        if isinstance(image, str) and image and not self.is_evalfleet(c):
            tag = image.rsplit("/", 1)[-1].partition(":")[2]
            self.r.check("@sha256:" in image or (tag and tag != "latest"), d.where, f + ".image",
                         "pin third-party images to a version tag (%s)" % image)
        mounts = {}
        for j, m in enumerate(as_list(c.get("volumeMounts"))):
            n = get(m, "name")
            if not self.r.check(isinstance(n, str) and isinstance(get(m, "mountPath"), str),
                                d.where, "%s.volumeMounts[%d]" % (f, j),
                                "needs a name and a mountPath"):
                continue
            self.r.check(n in volumes or n in claim_templates, d.where,
                         "%s.volumeMounts[%d].name" % (f, j),
                         "%r is not a volume of the pod" % n)
            mounts[get(m, "mountPath")] = m
        env = self.container_env(d, f, c)
        csc = as_dict(c.get("securityContext"))
        if d.kind == "StatefulSet" and str(c.get("image", "")).startswith("redis"):
            self.check_redis(d, f, c, mounts, volumes, claim_templates)
        if d.kind == "Deployment" and str(c.get("image", "")).startswith("redis"):
            self.r.fail(d.where, f + ".image", "Redis must be a StatefulSet with a "
                        "PersistentVolumeClaim (dedup and checkpoints live there)")
        if self.is_evalfleet(c):
            self.check_evalfleet(d, f, c, env, mounts, volumes, psc, csc, pod)

    def check_probe(self, d, f, p):
        if not self.r.check(isinstance(p, dict), d.where, f, "must be a mapping"):
            return
        handlers = [h for h in ("exec", "httpGet", "tcpSocket", "grpc") if h in p]
        self.r.check(len(handlers) == 1, d.where, f,
                     "needs exactly one of exec, httpGet, tcpSocket, grpc")
        if "exec" in p:
            cmd = get(p, "exec", "command")
            if self.r.check(isinstance(cmd, list) and cmd and
                            all(isinstance(x, str) for x in cmd),
                            d.where, f + ".exec.command", "must be a non-empty list of strings"):
                if os.path.basename(cmd[0]) in ("sh", "bash", "dash"):
                    self.r.check(len(cmd) == 3 and cmd[1] == "-c", d.where, f + ".exec.command",
                                 "a shell probe is [sh, -c, SCRIPT]")
        for k in ("initialDelaySeconds", "periodSeconds", "timeoutSeconds", "failureThreshold",
                  "successThreshold"):
            if k in p:
                self.r.check(isinstance(p[k], int) and not isinstance(p[k], bool) and p[k] >= 0,
                             d.where, "%s.%s" % (f, k), "must be an integer")

    def is_evalfleet(self, c):
        image = str(c.get("image", ""))
        repo = image.split("@")[0].rsplit(":", 1)[0] if ":" in image.split("/")[-1] \
            else image.split("@")[0]
        return repo.split("/")[-1] == "evalfleet"

    def check_redis(self, d, f, c, mounts, volumes, claim_templates):
        words = [str(a) for a in as_list(c.get("command")) + as_list(c.get("args"))]
        line = " ".join(words)
        opts = {}
        for i, w in enumerate(words):
            if w.startswith("--") and i + 1 < len(words):
                opts[w[2:]] = words[i + 1]
        self.r.check(opts.get("appendonly") == "yes", d.where, f + ".args",
                     "Redis needs --appendonly yes (dedup and checkpoints must survive restarts)")
        self.r.check(opts.get("appendfsync") in ("everysec", "always"), d.where, f + ".args",
                     "Redis needs --appendfsync everysec or always")
        self.r.check(opts.get("maxmemory-policy") == "noeviction", d.where, f + ".args",
                     "Redis needs --maxmemory-policy noeviction: evicting a dedup or "
                     "checkpoint key double-counts rows")
        mm = redis_bytes(opts.get("maxmemory"))
        lim = quantity(get(c, "resources", "limits", "memory"), True)
        self.r.check(mm and lim and mm < lim, d.where, f + ".args",
                     "Redis needs --maxmemory below the container's memory limit, or it is "
                     "OOM-killed instead of refusing writes (got %r)" % opts.get("maxmemory"))
        data_dir = opts.get("dir", "/data")
        m = mounts.get(data_dir)
        self.r.check(m is not None and get(m, "name") in claim_templates, d.where,
                     f + ".volumeMounts", "the Redis --dir %s must be a volumeClaimTemplate "
                     "(persistent volume)" % data_dir)
        for p in ("livenessProbe", "readinessProbe"):
            self.r.check(isinstance(c.get(p), dict), d.where, "%s.%s" % (f, p), "missing")
        if "--requirepass" in line:
            self.r.fail(d.where, f + ".args", "a Redis password in args is a literal secret")

    def parse_args(self, c):
        """(subcommand, {flag: [values]}, [positional], [errors]) or None."""
        args = [a for a in as_list(c.get("args")) if isinstance(a, str)]
        if not args:
            return None
        sub, rest = args[0], args[1:]
        table = SUBCOMMANDS.get(sub)
        if table is None:
            return (sub, {}, [], ["%r is not an evalfleet fleet subcommand (%s)" %
                                  (sub, ", ".join(SUBCOMMANDS))])
        opts, pos, errs = {}, [], []
        i = 0
        while i < len(rest):
            a = rest[i]
            if a.startswith("-") and a != "-":
                flag, eq, val = a.partition("=")
                flag = ALIASES.get(flag, flag)
                if flag not in table:
                    errs.append("%s does not take %s" % (sub, flag))
                    i += 1
                    continue
                if table[flag]:
                    if not eq:
                        if i + 1 >= len(rest):
                            errs.append("%s needs a value" % flag)
                            break
                        val = rest[i + 1]
                        i += 1
                    if flag in opts and flag not in REPEATABLE:
                        errs.append("%s given twice" % flag)
                    opts.setdefault(flag, []).append(val)
                else:
                    if eq:
                        errs.append("%s takes no value" % flag)
                    opts.setdefault(flag, []).append(True)
            else:
                pos.append(a)
            i += 1
        want = POSITIONAL.get(sub, 0)
        if len(pos) != want:
            errs.append("%s takes %d positional argument(s), got %r" % (sub, want, pos))
        return (sub, opts, pos, errs)

    def env_value(self, s, env):
        """Expand $(VAR) from the container env; None when a value is not known statically."""
        out = s
        for var in VAR_REF.findall(s):
            v = env.get(var, (None, None))[0]
            if v is None:
                return None
            out = out.replace("$(%s)" % var, str(v))
        return out

    def mount_for(self, mounts, path):
        best = None
        for mp, m in mounts.items():
            if isinstance(mp, str) and (path == mp or path.startswith(mp.rstrip("/") + "/")):
                if best is None or len(mp) > len(best[0]):
                    best = (mp, m)
        return best

    def check_evalfleet(self, d, f, c, env, mounts, volumes, psc, csc, pod):
        cmd = as_list(c.get("command"))
        self.r.check(not cmd or cmd == ["evalfleet"], d.where, f + ".command",
                     "leave command out: the image's ENTRYPOINT is evalfleet")
        parsed = self.parse_args(c)
        if not self.r.check(parsed, d.where, f + ".args", "missing: give the subcommand"):
            return
        sub, opts, pos, errs = parsed
        for e in errs:
            self.r.fail(d.where, f + ".args", e)
        if sub not in SUBCOMMANDS:
            return
        index_job = d.kind == "Job" and get(d.obj, "spec", "completionMode") == "Indexed"
        for j, a in enumerate(as_list(c.get("args"))):
            for var in VAR_REF.findall(str(a)):
                ok = var in env or (var == "JOB_COMPLETION_INDEX" and index_job)
                self.r.check(ok, d.where, "%s.args[%d]" % (f, j),
                             "$(%s) is not defined in the container's env%s: Kubernetes "
                             "would pass it literally" % (var, "" if var != "JOB_COMPLETION_INDEX"
                                                          else " (only Indexed Jobs set it)"))
        # role <-> kind
        allowed = {"produce": ("Job",), "worker": ("Deployment",),
                   "aggregate": ("Deployment", "Job"), "status": ("Job",), "results": ("Job",)}
        self.r.check(d.kind in allowed[sub], d.where, f + ".args[0]",
                     "`evalfleet %s` belongs in a %s, not a %s" %
                     (sub, " or ".join(allowed[sub]), d.kind))
        # brokers and redis
        if "-b" in SUBCOMMANDS[sub]:
            b = opts.get("-b", [None])[-1]
            if b is None:
                self.r.check(BROKERS_ENV in env, d.where, f + ".args",
                             "no -b and no %s in the env" % BROKERS_ENV)
                b = env.get(BROKERS_ENV, (None,))[0]
            else:
                b = self.env_value(b, env)
            if b is not None:
                self.check_brokers(d, f + ".args -b", b)
        rurl = opts.get("--redis", [None])[-1]
        if rurl is None:
            self.r.check(REDIS_ENV in env, d.where, f + ".args",
                         "no --redis and no %s in the env" % REDIS_ENV)
            rurl = env.get(REDIS_ENV, (None,))[0]
        else:
            rurl = self.env_value(rurl, env)
        if rurl is not None:
            self.check_redis_url(d, f + ".args --redis", rurl)
        for x in opts.get("-X", []):
            self.r.check(isinstance(x, str) and re.fullmatch(r"[a-z][a-z0-9._]*=.+", x),
                         d.where, f + ".args -X", "%r is not librdkafka key=value" % (x,))
        # topics
        for flag in ("--rows-topic", "--results-topic"):
            if flag in SUBCOMMANDS[sub]:
                t = opts.get(flag, [DEFAULTS[flag]])[-1]
                self.r.check(self.topic(t), d.where, "%s.args %s" % (f, flag),
                             "%r is not a KafkaTopic in k8s/" % t)
        if "--max-inflight-rows" in opts:
            v = opts["--max-inflight-rows"][-1]
            self.r.check(str(v).isdigit() and int(v) > 0, d.where,
                         f + ".args --max-inflight-rows", "must be a positive integer")
        # per role
        if sub == "produce":
            self.r.check("--spec" in opts, d.where, f + ".args",
                         "produce needs --spec (the run spec, stored in Redis under its run_id)")
            self.check_spec_mount(d, f, opts, mounts, volumes)
            self.check_shard(d, f, opts)
        if sub == "aggregate":
            self.r.check("-o" in opts, d.where, f + ".args", "aggregate needs -o DIR")
            if "--exit-when-done" in opts:
                self.r.check("--run" in opts, d.where, f + ".args --exit-when-done",
                             "needs --run RUN_ID")
            if d.kind == "Job":
                self.r.check("--run" in opts and "--exit-when-done" in opts, d.where, f + ".args",
                             "an aggregator Job needs --run and --exit-when-done or it never "
                             "completes")
            else:
                self.r.check("--exit-when-done" not in opts, d.where, f + ".args",
                             "--exit-when-done in a Deployment makes it restart forever")
            if "--run" in opts and self.run_ids:
                self.r.check(opts["--run"][-1] in self.run_ids, d.where, f + ".args --run",
                             "%r is the run_id of no run spec in k8s/ (%s)" %
                             (opts["--run"][-1], ", ".join(sorted(self.run_ids))))
        if sub == "results":
            self.r.check("-o" in opts, d.where, f + ".args", "results needs -o DIR")
        for o in opts.get("-o", []):
            mnt = self.mount_for(mounts, o) if isinstance(o, str) else None
            if self.r.check(mnt, d.where, f + ".args -o",
                            "%r is on no volume: results would be lost with the pod" % o):
                vol = volumes.get(get(mnt[1], "name"), {})
                self.r.check(not get(mnt[1], "readOnly") and "persistentVolumeClaim" in vol,
                             d.where, f + ".args -o",
                             "%r must be on a writable PersistentVolumeClaim" % o)
        # judge keys: only from Secrets
        if sub == "worker":
            self.r.check(any(env.get(k, (None, None))[1] == "secret" for k in JUDGE_KEY_ENVS),
                         d.where, f + ".envFrom",
                         "workers call the judges: load %s from a Secret" %
                         "/".join(JUDGE_KEY_ENVS))
        for k in JUDGE_KEY_ENVS:
            if k in env:
                self.r.check(env[k][1] == "secret", d.where, f + ".env " + k,
                             "%s must come from a Secret, not a %s" % (k, env[k][1]))
        # heartbeat and probes
        hb = opts.get("--heartbeat", [None])[-1]
        probes = {p: c.get(p) for p in ("startupProbe", "livenessProbe", "readinessProbe")
                  if isinstance(c.get(p), dict)}
        long_running = d.kind in LONG_RUNNING
        if long_running:
            self.r.check(hb, d.where, f + ".args",
                         "long-running roles need --heartbeat FILE for their exec probes")
            self.r.check(all("exec" in p for p in probes.values()), d.where, f + ".livenessProbe",
                         "evalfleet serves no port: use exec probes on the heartbeat file")
        if hb:
            for pn, p in probes.items():
                cmdline = " ".join(str(x) for x in as_list(get(p, "exec", "command")))
                if not self.r.check(hb in cmdline, d.where, "%s.%s.exec.command" % (f, pn),
                                    "does not check the heartbeat file %s" % hb):
                    continue
                m = re.search(r"-lt\s+(\d+)", cmdline)
                self.r.check(m and 5 < int(m.group(1)) <= 60, d.where,
                             "%s.%s.exec.command" % (f, pn),
                             "the freshness limit must be above the 5 s heartbeat period and "
                             "at most 60 s")
            mnt = self.mount_for(mounts, os.path.dirname(hb) or "/")
            vol = volumes.get(get(mnt[1], "name"), {}) if mnt else {}
            self.r.check(mnt and "emptyDir" in vol and not get(mnt[1], "readOnly"), d.where,
                         f + ".volumeMounts",
                         "the heartbeat file %s needs a writable emptyDir mount "
                         "(read-only root filesystem)" % hb)
        if sub == "worker":
            g = pod.get("terminationGracePeriodSeconds", 30)
            self.r.check(isinstance(g, int) and g >= 120, d.where,
                         "spec.template.spec.terminationGracePeriodSeconds",
                         "workers drain in-flight rows on SIGTERM: allow >= 120 s (got %r)" % g)
        # security context
        nonroot = csc.get("runAsNonRoot", psc.get("runAsNonRoot"))
        uid = csc.get("runAsUser", psc.get("runAsUser"))
        self.r.check(nonroot is True and uid != 0, d.where, f + ".securityContext.runAsNonRoot",
                     "evalfleet runs as non-root (runAsNonRoot: true)")
        self.r.check(csc.get("readOnlyRootFilesystem") is True, d.where,
                     f + ".securityContext.readOnlyRootFilesystem", "must be true")
        self.r.check(csc.get("allowPrivilegeEscalation") is False, d.where,
                     f + ".securityContext.allowPrivilegeEscalation", "must be false")
        self.r.check(get(csc, "capabilities", "drop") == ["ALL"], d.where,
                     f + ".securityContext.capabilities.drop", "must be [ALL]")

    def check_spec_mount(self, d, f, opts, mounts, volumes):
        for spec_path in opts.get("--spec", []):
            mnt = self.mount_for(mounts, spec_path)
            if not self.r.check(mnt, d.where, f + ".args --spec",
                                "%s is on no volume of the container" % spec_path):
                continue
            vol = volumes.get(get(mnt[1], "name"), {})
            rel = spec_path[len(mnt[0].rstrip("/")) + 1:]
            if not self.r.check("configMap" in vol, d.where, f + ".args --spec",
                                "%s should come from a ConfigMap volume" % spec_path):
                continue
            cmn = get(vol, "configMap", "name")
            items = as_list(get(vol, "configMap", "items"))
            key = next((get(it, "key") for it in items if get(it, "path") == rel), None) \
                if items else rel
            keys = self.configmap_keys(cmn)
            if self.r.check(has(keys, key), d.where, f + ".args --spec",
                            "ConfigMap %s provides no %s" % (cmn, rel)):
                try:
                    spec = yaml.safe_load(str(get(self.find("ConfigMap", cmn).obj, "data", key)))
                except yaml.YAMLError:
                    spec = None  # reported by check_ConfigMap
                data = get(spec, "data") if "--data" not in opts else opts["--data"][-1]
                if self.r.check(isinstance(data, str) and data, d.where, f + ".args --spec",
                                "the run spec has no data: path and there is no --data"):
                    dm = self.mount_for(mounts, data) if data.startswith("/") else None
                    if self.r.check(dm, d.where, f + ".args --spec",
                                    "the dataset %s is on no volume of the container" % data):
                        dv = volumes.get(get(dm[1], "name"), {})
                        self.r.check("emptyDir" not in dv, d.where, f + ".volumeMounts",
                                     "the dataset %s is on an emptyDir: it is always empty" %
                                     data)

    def check_shard(self, d, f, opts):
        spec = as_dict(get(d.obj, "spec"))
        indexed = spec.get("completionMode") == "Indexed"
        shard = opts.get("--shard", [None])[-1]
        if indexed:
            n = spec.get("completions")
            par = spec.get("parallelism", 1)
            self.r.check(isinstance(n, int) and n >= 1, d.where, "spec.completions",
                         "an Indexed Job needs completions")
            self.r.check(isinstance(par, int) and isinstance(n, int) and 1 <= par <= n, d.where,
                         "spec.parallelism", "must be between 1 and completions")
            m = re.fullmatch(r"\$\(JOB_COMPLETION_INDEX\)/(\d+)", str(shard or ""))
            if self.r.check(m, d.where, f + ".args --shard",
                            "an Indexed producer must use --shard=$(JOB_COMPLETION_INDEX)/N"):
                self.r.check(int(m.group(1)) == n, d.where, f + ".args --shard",
                             "N=%s differs from completions=%s: rows would be lost or "
                             "published twice" % (m.group(1), n))
        elif shard is not None:
            self.r.fail(d.where, "spec.completionMode",
                        "--shard %s outside an Indexed Job publishes only part of the dataset"
                        % shard)

    def check_Job(self, d):
        spec = as_dict(get(d.obj, "spec"))
        # kubectl apply -k k8s/ creates every Job: they must wait until started on purpose
        # (two producers, or an aggregator Job beside the service aggregator, would clash).
        self.r.check(spec.get("suspend") is True, d.where, "spec.suspend",
                     "Jobs are created suspended (true) and started with kubectl patch")
        uses_index = "JOB_COMPLETION_INDEX" in str(get(spec, "template"))
        if uses_index:
            self.r.check(spec.get("completionMode") == "Indexed", d.where, "spec.completionMode",
                         "uses JOB_COMPLETION_INDEX, so it must be Indexed")
        if spec.get("completionMode") == "Indexed":
            self.r.check(uses_index, d.where, "spec.template",
                         "an Indexed Job must use JOB_COMPLETION_INDEX "
                         "(--shard=$(JOB_COMPLETION_INDEX)/N)")

    # ------------------------------------------------------------------ kustomization
    def check_kustomization(self):
        k = self.kustomization
        if not self.r.check(k is not None, self.dir, "kustomization.yaml",
                            "missing: operators apply the directory with kubectl apply -k"):
            return
        self.r.check(k.obj.get("apiVersion") == "kustomize.config.k8s.io/v1beta1", k.rel,
                     "apiVersion", "must be kustomize.config.k8s.io/v1beta1")
        res = k.obj.get("resources")
        if not self.r.check(isinstance(res, list), k.rel, "resources", "missing"):
            return
        manifests = [n for n, _, o in self.files if o < 10 ** 6]
        for n in manifests:
            self.r.check(n in res, k.rel, "resources",
                         "does not list %s: kubectl apply -k would skip it" % n)
        for r in res:
            self.r.check(r in manifests, k.rel, "resources",
                         "lists %r, which is not a manifest in the directory" % (r,))
        self.r.check(len(res) == len(set(map(str, res))), k.rel, "resources", "duplicates")
        self.r.check(res == sorted(res, key=str), k.rel, "resources", "keep apply order")
        for i, im in enumerate(as_list(k.obj.get("images"))):
            self.r.check(isinstance(get(im, "name"), str), k.rel, "images[%d].name" % i,
                         "missing")
            for key in ("newName", "newTag", "digest"):
                if key in as_dict(im):
                    self.r.check(isinstance(im[key], str) and im[key], k.rel,
                                 "images[%d].%s" % (i, key), "must be a non-empty string")
        ns = k.obj.get("namespace")
        self.r.check(ns in (None, NAMESPACE), k.rel, "namespace", "must be %s" % NAMESPACE)


# ---------------------------------------------------------------------- Dockerfile
def dockerfile_instructions(text):
    """[(instruction, arguments)] with continuations joined and comments dropped."""
    out, cur = [], ""
    for line in text.splitlines():
        s = line.strip()
        if not cur and (not s or s.startswith("#")):
            continue
        if cur and s.startswith("#"):
            continue
        if s.endswith("\\"):
            cur += s[:-1] + " "
            continue
        cur += s
        parts = cur.split(None, 1)
        out.append((parts[0].upper(), parts[1] if len(parts) > 1 else ""))
        cur = ""
    if cur:
        parts = cur.split(None, 1)
        out.append((parts[0].upper(), parts[1] if len(parts) > 1 else ""))
    return out


def apt_packages(run_args):
    pkgs = []
    for cmd in re.split(r"&&|;|\|\|", run_args):
        words = cmd.split()
        if "install" in words and any(w.endswith("apt-get") or w == "apt" for w in words):
            for w in words[words.index("install") + 1:]:
                if not w.startswith("-"):
                    pkgs.append(w)
    return pkgs


def install_deps_packages(path):
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError:
        return None
    m = re.search(r"PKGS=\(([^)]*)\)", text)
    return m.group(1).split() if m else None


def apt_cache_usable():
    if not shutil.which("apt-cache"):
        return False, "apt-cache not found"
    try:
        with open("/etc/os-release", encoding="utf-8") as f:
            osr = f.read()
    except OSError:
        return False, "no /etc/os-release"
    if "VERSION_CODENAME=bookworm" not in osr:
        return False, "this machine is not Debian bookworm"
    lists = "/var/lib/apt/lists"
    if not os.path.isdir(lists) or not any("_Packages" in n for n in os.listdir(lists)):
        return False, "no apt package lists (run apt-get update)"
    return True, ""


def apt_candidates(pkgs):
    """{package: candidate version} for the packages apt-cache knows (one call)."""
    try:
        out = subprocess.run(["apt-cache", "policy"] + list(pkgs), capture_output=True,
                             text=True, timeout=120).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    found, cur = {}, None
    for line in out.splitlines():
        m = re.match(r"^(\S+):$", line)
        if m:
            cur = m.group(1)
            continue
        m = re.match(r"^\s+Candidate:\s*(\S+)", line)
        if m and cur and m.group(1) != "(none)":
            found[cur] = m.group(1)
    return found


def check_dockerfile(path, install_deps, apt_mode, r, uids):
    rel = os.path.basename(path)
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        r.fail(rel, "file", "cannot read: %s" % e)
        return
    for pat, what in SECRET_PATTERNS:
        r.check(not pat.search(text), rel, "text", "looks like %s" % what)
    ins = dockerfile_instructions(text)
    stages = []
    for i, (op, args) in enumerate(ins):
        if op == "FROM":
            m = re.match(r"(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?\s*$", args, re.I)
            stages.append({"image": m.group(1) if m else args, "name": m.group(2) if m else None,
                           "ins": [], "line": i})
        elif stages:
            stages[-1]["ins"].append((op, args))
    if not r.check(len(stages) >= 2, rel, "FROM", "needs a build stage and a runtime stage"):
        return
    for i, st in enumerate(stages):
        r.check(st["image"] == "debian:bookworm-slim", rel, "stage %d FROM" % i,
                "%s: both stages are debian:bookworm-slim" % st["image"])
    build, final = stages[0], stages[-1]
    r.check(build["name"], rel, "stage 0 FROM", "name the build stage (FROM ... AS build)")
    bpkgs = [p for op, a in build["ins"] if op == "RUN" for p in apt_packages(a)]
    fpkgs = [p for op, a in final["ins"] if op == "RUN" for p in apt_packages(a)]
    brun = " ".join(a for op, a in build["ins"] if op == "RUN")
    r.check("-DEF_TESTS=OFF" in brun, rel, "stage 0 RUN", "configure with cmake -DEF_TESTS=OFF")
    r.check(re.search(r"cmake\s+--build", brun), rel, "stage 0 RUN", "no cmake --build")
    deps = install_deps_packages(install_deps)
    if r.check(deps, rel, "stage 0 RUN apt-get install",
               "cannot read the package list of %s" % install_deps):
        for p in deps:
            # Build inputs: headers (-dev) and the toolchain; servers and tools that only
            # the tests use (redis-server, java, clang-format ...) stay out of the image.
            if not (p.endswith("-dev") or p in BUILD_TOOLS) or p in TEST_ONLY_PACKAGES \
                    or p.startswith("libclang-rt"):
                continue
            r.check(p in bpkgs, rel, "stage 0 RUN apt-get install",
                    "%s (scripts/install-deps.sh) is not installed in the build stage" % p)
    for p in RUNTIME_PACKAGES:
        r.check(p in fpkgs, rel, "final stage RUN apt-get install",
                "runtime package %s is not installed" % p)
    for p in fpkgs:
        r.check(not (p.endswith("-dev") or p in ("build-essential", "cmake", "gcc", "clang")),
                rel, "final stage RUN apt-get install",
                "%s is a build tool: the runtime stage holds shared libraries only" % p)
    copies = [a for op, a in final["ins"] if op == "COPY"]
    r.check(any(re.search(r"--from=%s\b" % re.escape(build["name"] or "0"), a) for a in copies),
            rel, "final stage COPY", "copy the binary from the build stage (COPY --from=%s)" %
            build["name"])
    users = [a.strip() for op, a in final["ins"] if op == "USER"]
    user = users[-1] if users else None
    r.check(user and user.split(":")[0] not in ("root", "0"), rel, "final stage USER",
            "the image must run as a non-root user")
    if user:
        r.check(user.split(":")[0].isdigit(), rel, "final stage USER",
                "use a numeric uid so that Kubernetes' runAsNonRoot can verify it")
        for where, uid in uids:
            r.check(str(uid) == user.split(":")[0], where, "securityContext.runAsUser",
                    "%s differs from the image's USER %s" % (uid, user))
    eps = [a.strip() for op, a in final["ins"] if op == "ENTRYPOINT"]
    ep = None
    if eps:
        try:
            import json
            ep = json.loads(eps[-1])
        except ValueError:
            ep = None
    r.check(ep == ["evalfleet"], rel, "ENTRYPOINT",
            "must be the exec form [\"evalfleet\"] (got %s)" % (eps[-1] if eps else "none"))
    dockerignore = os.path.join(os.path.dirname(path), ".dockerignore")
    try:
        with open(dockerignore, encoding="utf-8") as f:
            ign = f.read().split()
    except OSError:
        ign = None
    if r.check(ign is not None, ".dockerignore", "file", "missing next to the Dockerfile"):
        for p in (".git", "build", "build-*"):
            r.check(p in ign or "/" + p in ign, ".dockerignore", p,
                    "not excluded from the build context")
    if apt_mode == "no":
        return
    usable, why = apt_cache_usable()
    if not usable:
        if apt_mode == "yes":
            r.fail(rel, "apt-cache", "cannot check package names: %s" % why)
        else:
            print("note: Debian package names not checked (%s)" % why)
        return
    known = apt_candidates(sorted(set(bpkgs + fpkgs)))
    for p in sorted(set(bpkgs + fpkgs)):
        r.check(p in known, rel, "apt-get install %s" % p,
                "no such package in Debian bookworm (apt-cache policy)")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.normpath(os.path.join(here, "..", ".."))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--k8s", default=os.path.join(root, "k8s"), help="manifest directory")
    ap.add_argument("--dockerfile", default=os.path.join(root, "Dockerfile"))
    ap.add_argument("--no-dockerfile", action="store_true", help="check the manifests only")
    ap.add_argument("--install-deps", default=os.path.join(root, "scripts", "install-deps.sh"))
    ap.add_argument("--apt-cache", choices=("auto", "yes", "no"), default="auto",
                    help="check Debian package names with apt-cache (auto: when usable)")
    ap.add_argument("--list-flags", action="store_true",
                    help="print 'SUBCOMMAND FLAG' for every flag the manifests pass, then exit")
    a = ap.parse_args()
    if not os.path.isdir(a.k8s):
        print("validate_manifests: %s is not a directory" % a.k8s, file=sys.stderr)
        return 2
    if a.list_flags:
        v = Validator(a.k8s, Report())
        with open(os.devnull, "w") as null:
            stdout, sys.stdout = sys.stdout, null
            try:
                v.load()
            finally:
                sys.stdout = stdout
        pairs = set()
        for d in v.docs:
            if d.kind in WORKLOADS:
                for c in as_list(get(d.obj, "spec", "template", "spec", "containers")):
                    parsed = v.parse_args(c) if isinstance(c, dict) and v.is_evalfleet(c) \
                        else None
                    if parsed and parsed[0] in SUBCOMMANDS:
                        pairs.update((parsed[0], f) for f in parsed[1])
        for sub, flag in sorted(pairs):
            print(sub, flag)
        return 0
    r = Report()
    v = Validator(a.k8s, r)
    v.run()
    if not a.no_dockerfile:
        uids = []
        for d in v.docs:
            if d.kind in WORKLOADS:
                pod = as_dict(get(d.obj, "spec", "template", "spec"))
                for i, c in enumerate(as_list(pod.get("containers"))):
                    if isinstance(c, dict) and v.is_evalfleet(c):
                        uid = get(c, "securityContext", "runAsUser",
                                  default=get(pod, "securityContext", "runAsUser"))
                        if uid is not None:
                            uids.append(("%s spec.template.spec.containers[%d]" % (d.where, i),
                                         uid))
        check_dockerfile(a.dockerfile, a.install_deps, a.apt_cache, r, uids)
    print("%d passed, %d failed" % (r.passed, r.failed))
    return 0 if r.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
