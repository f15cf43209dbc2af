import CTorch
import Foundation

/// PyTorch's zip checkpoints (`torch.save(model.state_dict(), "x.pth")`), read and written by
/// libtorch's own pickler. A dict nested under "state_dict" or "model" is not unwrapped by
/// libtorch; save the state dict itself.
public enum PthFile {
    public static func load(_ path: String) throws -> [String: Tensor] {
        guard FileManager.default.fileExists(atPath: path) else {
            throw TorchError.file(path: path, reason: "no such file")
        }
        var names: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
        var tensors: UnsafeMutablePointer<OpaquePointer?>?
        var n: Int32 = 0
        if ct_pth_load(path, &names, &tensors, &n) != 0 {
            throw TorchError.file(path: path, reason: "not a PyTorch state dict: \(String(cString: ct_last_error()))")
        }
        defer {
            for i in 0..<Int(n) { ct_free(names?[i]) }
            ct_free(names)
            ct_free(tensors)
        }
        var out: [String: Tensor] = [:]
        for i in 0..<Int(n) {
            out[String(cString: names![i]!)] = Tensor(handle: tensors![i]!)
        }
        return out
    }

    public static func save(_ tensors: [String: Tensor], to path: String) throws {
        let names = tensors.keys.sorted()
        let values = names.map { tensors[$0]! }
        var cNames = names.map { strdup($0) }
        defer { cNames.forEach { free($0) } }
        let handles: [OpaquePointer?] = values.map { $0.handle }
        try AtomicWrite.write(to: path) { tmp in
            try cNames.withUnsafeMutableBufferPointer { buf in
                try withExtendedLifetime(values) {
                    let ptrs = buf.map { UnsafePointer<CChar>($0) }
                    if ct_pth_save(tmp, ptrs, handles, Int32(handles.count)) != 0 {
                        throw TorchError.file(path: path, reason: String(cString: ct_last_error()))
                    }
                }
            }
        }
    }
}
