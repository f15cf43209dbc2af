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
        let header: SafetensorsHeader
        do {
            header = try SafetensorsHeader(file: data)
        } catch let problem as SafetensorsHeader.Problem {
            throw TorchError.file(path: path, reason: "not a valid safetensors file (\(problem.reason)); "
                + "the file is damaged or not safetensors: write it again (Safetensors.save, safetensors.torch.save_file)")
        }
        var tensors: [String: Tensor] = [:]
        for entry in header.entries {
            if let names, !names.contains(entry.name) { continue }
            do {
                tensors[entry.name] = try data.withUnsafeBytes { raw in
                    try Tensor.fromBytes(UnsafeRawBufferPointer(rebasing: raw[entry.bytes]), shape: entry.shape,
                                         dtype: entry.dtype)
                }
            } catch {
                throw TorchError.file(path: path, reason: "cannot read tensor '\(entry.name)': \(error)")
            }
        }
        let metadata = header.metadata
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
