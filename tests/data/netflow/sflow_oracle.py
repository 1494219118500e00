#!/usr/bin/env python3
"""tshark's decoding of an sFlow v5 capture, one JSON line per flow sample (the oracle of
tests/collectors/netflow/decode_corpus_test.cpp). Usage: sflow_oracle.py FILE [UDP_PORT]"""
import json, subprocess, sys

def walk(obj, path=""):
    for k, v in obj.items():
        if isinstance(v, dict):
            yield k, v
            yield from walk(v)

def first(d, key):
    for k, v in walk({"": d}):
        if key in v and not isinstance(v[key], dict):
            return v[key]
    return None

def main():
    port = sys.argv[2] if len(sys.argv) > 2 else "6343"
    out = subprocess.run(["tshark", "-r", sys.argv[1], "-d", f"udp.port=={port},sflow", "-T", "json",
                          "--no-duplicate-keys"], capture_output=True, text=True, check=True).stdout
    for pkt in json.loads(out):
        layers = pkt["_source"]["layers"]
        sf = layers.get("sflow")
        if not sf:
            continue
        for name, sample in sf.items():
            if not (isinstance(sample, dict) and name.startswith("Flow sample")):
                continue
            raw = next((v for k, v in sample.items() if k.startswith("Raw packet header")), {})
            tree = raw.get("sflow_245.header_tree", {})
            ip = tree.get("ip") or tree.get("ipv6") or {}
            l4 = tree.get("tcp") or tree.get("udp") or {}
            print(json.dumps({
                "frame": int(layers["frame"]["frame.number"]),
                "agent": sf.get("sflow_245.agent") or sf.get("sflow_245.agent.ipv6"),
                "seq": sf.get("sflow_245.sequence_number"),
                "sampling_rate": sample.get("sflow.flow_sample.sampling_rate"),
                "frame_length": raw.get("sflow_245.header.frame_length"),
                "in_if": sample.get("sflow.flow_sample.input_interface"),
                "src_ip": ip.get("ip.src") or ip.get("ipv6.src"),
                "dst_ip": ip.get("ip.dst") or ip.get("ipv6.dst"),
                "proto": ip.get("ip.proto") or ip.get("ipv6.nxt"),
                "src_port": l4.get("tcp.srcport") or l4.get("udp.srcport"),
                "dst_port": l4.get("tcp.dstport") or l4.get("udp.dstport"),
            }))

if __name__ == "__main__":
    main()
