import Foundation

/// Reads a state dict from any supported weight format, chosen by extension:
/// `.safetensors`, `.pth`/`.pt`/`.tar`/`.bin` (PyTorch, zip or legacy format), `.onnx` (initializers only).
public enum WeightFile {
    public static func load(_ path: String) throws -> [String: Tensor] {
        guard FileManager.default.fileExists(atPath: path) else {
            throw TorchError.file(path: path, reason: "no such weight file")
        }
        switch URL(fileURLWithPath: path).pathExtension.lowercased() {
        case "safetensors":
            return try Safetensors.load(path)
        case "pth", "pt", "tar", "bin":
            return try PthFile.load(path)
        case "onnx":
            return try ONNXFile.initializers(path)
        default:
            throw TorchError.file(path: path,
                                  reason: "unknown weight format; use .safetensors, .pth (PyTorch state dict) or .onnx")
        }
    }
}
