import CTorch
import Foundation

/// ONNX files (`.onnx`), read and written by libonnx's protobuf classes: the graph description
/// as an `ONNXModel`, the tensors as `Tensor`s.
public enum ONNXFile {
    public struct Contents {
        public var model: ONNXModel
        /// The graph's initializers (its weights and constant inputs), in file order.
        public var initializers: [(name: String, tensor: Tensor)]
        /// The data of tensor attributes (a Constant node's value...), by `TensorInfo.name`.
        public var attributeTensors: [String: Tensor]

        public init(model: ONNXModel, initializers: [(name: String, tensor: Tensor)],
                    attributeTensors: [String: Tensor] = [:]) {
            self.model = model
            self.initializers = initializers
            self.attributeTensors = attributeTensors
        }
    }

    /// Reads the model description and every tensor.
    public static func read(_ path: String) throws -> Contents {
        let (json, tensors, initializerCount) = try load(path, withGraph: true)
        let model: ONNXModel
        do {
            model = try ONNXModel.decode(json: json!)
        } catch {
            throw TorchError.file(path: path, reason: "cannot read the graph description: \(error)")
        }
        return Contents(model: model, initializers: Array(tensors[..<initializerCount]),
                        attributeTensors: Dictionary(tensors[initializerCount...].map { ($0.name, $0.tensor) },
                                                     uniquingKeysWith: { a, _ in a }))
    }

    /// Reads only the initializers, by name (what `WeightFile.load` gives for `.onnx`).
    public static func initializers(_ path: String) throws -> [String: Tensor] {
        let (_, tensors, initializerCount) = try load(path, withGraph: false)
        return Dictionary(tensors[..<initializerCount].map { ($0.name, $0.tensor) }, uniquingKeysWith: { a, _ in a })
    }

    /// Writes `model` with its tensors, atomically. `attributeTensors` fill the model's tensor
    /// attributes by `TensorInfo.name`; `initializers` become the graph's initializers in order.
    public static func write(_ model: ONNXModel, initializers: [(name: String, tensor: Tensor)],
                             attributeTensors: [String: Tensor] = [:], to path: String) throws {
        let json: Data
        do {
            json = try model.json()
        } catch {
            throw TorchError.file(path: path, reason: "cannot describe the model: \(error)")
        }
        let all = attributeTensors.sorted { $0.key < $1.key }.map { (name: $0.key, tensor: $0.value) } + initializers
        let handles: [OpaquePointer?] = all.map { $0.tensor.handle }
        let names = all.map { strdup($0.name) }
        defer { names.forEach { free($0) } }
        let text = String(decoding: json, as: UTF8.self)
        try AtomicWrite.write(to: path) { tmp in
            try withExtendedLifetime(all) {
                let cNames = names.map { UnsafePointer<CChar>($0) }
                if ct_onnx_save(tmp, text, cNames, handles, Int32(handles.count)) != 0 {
                    throw TorchError.file(path: path, reason: reason(for: tmp))
                }
            }
        }
    }

    private static func load(_ path: String, withGraph: Bool) throws
        -> (json: Data?, tensors: [(name: String, tensor: Tensor)], initializerCount: Int)
    {
        guard FileManager.default.fileExists(atPath: path) else {
            throw TorchError.file(path: path, reason: "no such ONNX file")
        }
        var json: UnsafeMutablePointer<CChar>?
        var names: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
        var handles: UnsafeMutablePointer<OpaquePointer?>?
        var n: Int32 = 0, initializerCount: Int32 = 0
        let status = withGraph
            ? ct_onnx_load(path, &json, &names, &handles, &n, &initializerCount)
            : ct_onnx_load(path, nil, &names, &handles, &n, &initializerCount)
        guard status == 0 else { throw TorchError.file(path: path, reason: reason(for: path)) }
        defer {
            for i in 0..<Int(n) { ct_free(names?[i]) }
            ct_free(names)
            ct_free(handles)
            ct_free(json)
        }
        let tensors = (0..<Int(n)).map { (name: String(cString: names![$0]!), tensor: Tensor(handle: handles![$0]!)) }
        let data = json.map { Data(bytes: $0, count: strlen($0)) }
        return (data, tensors, Int(initializerCount))
    }

    /// The C side's message without the leading "path: " it names the file with.
    private static func reason(for path: String) -> String {
        let message = String(cString: ct_last_error())
        return message.hasPrefix(path + ": ") ? String(message.dropFirst(path.count + 2)) : message
    }
}
