/// An imported graph written back into a new one: what `reid export` needs for a model trained
/// from an ONNX file. The nodes are copied as they are, every value renamed under the module's
/// path so nothing clashes with the nodes around it, and the initializers carry the graph's
/// current (fine-tuned) weights and running statistics, in the standard memory layout.
extension ONNXGraph: ONNXExportable {
    public func exportONNX(_ input: String, into graph: ONNXGraphBuilder, name: String) throws -> String {
        guard inputNames.count == 1, outputNames.count >= 1 else {
            throw TorchError.invalidArgument("ONNX export: \(source) has \(inputNames.count) inputs; one image input is needed")
        }
        try graph.adoptOpsets(model.opsetImports, from: source)
        let prefix = name.isEmpty ? "" : name + "/"
        var renamed: [String: String] = ["": "", inputNames[0]: input]
        for (original, slot) in ownTensors {
            guard let tensor = slot.tensor else { continue }
            renamed[original] = try graph.rawInitializer(prefix + original, tensor)
        }
        func value(_ original: String) -> String {
            if let known = renamed[original] { return known }
            let fresh = graph.fresh(prefix + original)
            renamed[original] = fresh
            return fresh
        }
        func info(_ t: ONNXModel.TensorInfo) throws -> ONNXModel.TensorInfo {
            guard let data = attributeTensors[t.name] else { return t }
            var copy = t
            copy.name = try graph.attributeTensor(prefix + t.name, data)
            return copy
        }
        for node in model.graph.nodes {
            var copy = node
            copy.name = prefix + node.name
            copy.inputs = node.inputs.map(value)
            copy.outputs = node.outputs.map(value)
            copy.attributes = try node.attributes.map { attribute in
                switch attribute.value {
                case .tensor(let t): return ONNXModel.Attribute(attribute.name, .tensor(try info(t)))
                case .tensors(let ts): return ONNXModel.Attribute(attribute.name, .tensors(try ts.map(info)))
                default: return attribute
                }
            }
            graph.append(copy)
        }
        return value(outputNames[0])
    }
}
