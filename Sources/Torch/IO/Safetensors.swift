import Foundation

/// The safetensors format: an 8-byte little-endian header length, a JSON header mapping each
/// name to dtype, shape and byte range, then raw little-endian data. It is SwiftReID's
/// checkpoint and feature-file format, readable by `safetensors` in Python.
public enum Safetensors {
    static let codes: [String: DType] = [
        "F32": .float32, "F64": .float64, "F16": .float16, "BF16": .bfloat16, "I64": .int64,
        "I32": .int32, "I16": .int16, "I8": .int8, "U8": .uint8, "BOOL": .bool,
    ]
    static func code(_ dtype: DType) -> String { codes.first { $0.value == dtype }!.key }

    /// Reads every tensor of a file.
    public static func load(_ path: String) throws -> [String: Tensor] {
        try load(path, only: nil).tensors
    }

    /// Reads the named tensors (all when `only` is nil) and the string metadata.
    public static func load(_ path: String, only names: Set<String>?) throws
        -> (tensors: [String: Tensor], metadata: [String: String])
    {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw TorchError.file(path: path, reason: "cannot read: \(error.localizedDescription)")
        }
        func bad(_ why: String) -> TorchError {
            .file(path: path, reason: "not a valid safetensors file (\(why))")
        }
        guard data.count >= 8 else { throw bad("shorter than its 8-byte header length") }
        let headerLength = data.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 0, as: UInt64.self).littleEndian }
        guard headerLength <= UInt64(data.count - 8) else { throw bad("header length \(headerLength) exceeds the file") }
        let headerData = data.subdata(in: 8..<(8 + Int(headerLength)))
        guard let header = try? JSONSerialization.jsonObject(with: headerData) as? [String: Any] else {
            throw bad("header is not a JSON object")
        }
        let base = 8 + Int(headerLength)
        var tensors: [String: Tensor] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in header {
            if name == "__metadata__" {
                metadata = (value as? [String: String]) ?? [:]
                continue
            }
            if let names, !names.contains(name) { continue }
            guard let info = value as? [String: Any], let code = info["dtype"] as? String,
                let shape = (info["shape"] as? [NSNumber])?.map({ $0.intValue }),
                let offsets = (info["data_offsets"] as? [NSNumber])?.map({ $0.intValue }), offsets.count == 2
            else { throw bad("entry '\(name)' lacks dtype, shape or data_offsets") }
            guard let dtype = codes[code] else { throw bad("entry '\(name)' has unsupported dtype \(code)") }
            let start = base + offsets[0], end = base + offsets[1]
            guard start <= end, end <= data.count else { throw bad("entry '\(name)' points outside the file") }
            guard end - start == shape.reduce(1, *) * dtype.byteSize else {
                throw bad("entry '\(name)' has \(end - start) bytes for \(code) shape \(shape)")
            }
            tensors[name] = try data.withUnsafeBytes { raw in
                try Tensor.fromBytes(UnsafeRawBufferPointer(rebasing: raw[start..<end]), shape: shape, dtype: dtype)
            }
        }
        if let names {
            let missing = names.subtracting(tensors.keys)
            if !missing.isEmpty {
                throw TorchError.file(path: path, reason: "missing tensor(s) \(missing.sorted().joined(separator: ", "))")
            }
        }
        return (tensors, metadata)
    }

    /// Writes tensors (sorted by name) atomically: temp file, then rename.
    public static func save(_ tensors: [String: Tensor], to path: String, metadata: [String: String] = [:]) throws {
        let names = tensors.keys.sorted()
        var entries: [(String, Tensor)] = []
        var header: [String: Any] = [:]
        var offset = 0
        for name in names {
            let t = try tensors[name]!.detached().to(.cpu).contiguous()
            let bytes = t.count * t.dtype.byteSize
            header[name] = ["dtype": code(t.dtype), "shape": t.shape, "data_offsets": [offset, offset + bytes]] as [String: Any]
            entries.append((name, t))
            offset += bytes
        }
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(0x20) }
        var out = Data(capacity: 8 + json.count + offset)
        var length = UInt64(json.count).littleEndian
        withUnsafeBytes(of: &length) { out.append(contentsOf: $0) }
        out.append(json)
        let dataStart = out.count
        out.count = dataStart + offset
        var cursor = dataStart
        for (_, t) in entries {
            let bytes = t.count * t.dtype.byteSize
            if bytes > 0 {
                try out.withUnsafeMutableBytes { raw in
                    try t.copyBytes(into: UnsafeMutableRawBufferPointer(rebasing: raw[cursor..<(cursor + bytes)]))
                }
            }
            cursor += bytes
        }
        try AtomicWrite.write(out, to: path)
    }
}
