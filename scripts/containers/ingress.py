"""The rendered Ingresses as an nginx configuration: the container run's stand-in for an
ingress controller. Each rule's paths become locations that proxy to the Service by name
(resolved at request time through Docker's DNS, so nginx starts before the apps do); Prefix
paths match whole path segments, Exact paths the path alone, longest first, as the Ingress
specification says. TLS sections are left out: the container run serves plain HTTP."""


def nginx_conf(manifests, listen=80):
    namespace = manifests.namespace
    servers = {}
    for ing in manifests.all("Ingress"):
        for rule in ing["spec"].get("rules", []):
            host = rule.get("host", "_")
            for p in rule.get("http", {}).get("paths", []):
                svc = p["backend"]["service"]
                port = svc["port"].get("number") or service_port(manifests, svc["name"], svc["port"]["name"])
                servers.setdefault(host, []).append((p.get("path", "/"), p.get("pathType", "Prefix"), svc["name"], port))
    out = [
        "# Generated from the rendered Ingresses by scripts/containers/ingress.py.",
        "worker_processes 1;",
        "pid /tmp/nginx.pid;",
        "error_log stderr warn;",
        "events { worker_connections 1024; }",
        "http {",
        "  access_log /dev/stdout;",
        "  resolver 127.0.0.11 valid=5s ipv6=off;  # Docker's DNS: Service names",
        "  proxy_http_version 1.1;",
        "  proxy_set_header Host $host;",
        "  proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "  proxy_set_header X-Forwarded-Proto $scheme;",
    ]
    for host, paths in servers.items():
        out.append("  server {")
        out.append(f"    listen {listen}{' default_server' if host == '_' else ''};")
        out.append(f"    server_name {host};")
        for path, kind, name, port in sorted(paths, key=lambda x: -len(x[0])):
            upstream = f"http://{name}.{namespace}.svc.cluster.local:{port}"
            if kind == "Exact":
                out += [f"    location = {path} {{", f"      set $u {upstream};", "      proxy_pass $u;", "    }"]
                continue
            base = path.rstrip("/")
            if base:
                out += [f"    location = {base} {{", f"      set $u {upstream};", "      proxy_pass $u;", "    }"]
            out += [f"    location {base}/ {{", f"      set $u {upstream};", "      proxy_pass $u;", "    }"]
        out.append("  }")
    out.append("}")
    return "\n".join(out) + "\n"


def service_port(manifests, service, name):
    for p in manifests.get("Service", service)["spec"]["ports"]:
        if p.get("name") == name:
            return p["port"]
    raise KeyError(f"Service {service} has no port named {name}")
