/// Cutting a graph short: keep what computes one value and make that value the only output.
extension ONNXFile.Contents {
    /// The graph up to `value`: nodes it does not depend on and initializers no kept node reads
    /// are dropped, and `value` becomes the single output.
    public func cut(at value: String) throws -> ONNXFile.Contents {
        let nodes = model.graph.nodes
        var needed: Set<String> = [value]
        var kept: [ONNXModel.Node] = []
        for node in nodes.reversed() where node.outputs.contains(where: { needed.contains($0) }) {
            kept.append(node)
            needed.formUnion(node.inputs.filter { !$0.isEmpty })
        }
        let producers = Set(kept.flatMap(\.outputs))
        let graphInputs = Set(model.graph.inputs.map(\.name))
        let initializerNames = Set(initializers.map(\.name))
        guard producers.contains(value) || graphInputs.contains(value) else {
            throw TorchError.invalidArgument("the graph has no value '\(value)' to cut at")
        }
        var copy = self
        copy.model.graph.nodes = kept.reversed()
        copy.model.graph.outputs = [ONNXModel.ValueInfo(name: value)]
        copy.model.graph.inputs = model.graph.inputs.filter { !initializerNames.contains($0.name) || needed.contains($0.name) }
        copy.initializers = initializers.filter { needed.contains($0.name) }
        return copy
    }

    /// The input of the graph's last global average pooling (GlobalAveragePool, or ReduceMean over
    /// axes 2 and 3): the last spatial feature map of a network that pools to an embedding.
    public var lastPooledMap: String? {
        for node in model.graph.nodes.reversed() {
            if node.opType == "GlobalAveragePool" { return node.inputs.first }
            if node.opType == "ReduceMean",
               case .ints(let axes)? = node.attributes.first(where: { $0.name == "axes" })?.value,
               Set(axes) == [2, 3] || Set(axes) == [-2, -1] {
                return node.inputs.first
            }
        }
        return nil
    }
}

extension ONNXFile.Contents {
    /// The rest of the graph after `value`: the nodes that compute the first output from `value`,
    /// which becomes the only graph input (a network's layers after its last pooling, say). Nil
    /// when that output also depends on something computed before `value` other than `value`
    /// itself (a skip connection around it) or on another graph input.
    public func tail(from value: String) -> ONNXFile.Contents? {
        guard let output = model.graph.outputs.first?.name, output != value else { return nil }
        let initializerNames = Set(initializers.map(\.name))
        var needed: Set<String> = [output]
        var kept: [ONNXModel.Node] = []
        for node in model.graph.nodes.reversed()
        where !node.outputs.contains(value) && node.outputs.contains(where: { needed.contains($0) }) {
            kept.append(node)
            needed.formUnion(node.inputs.filter { !$0.isEmpty && $0 != value })
        }
        let produced = Set(kept.flatMap(\.outputs))
        guard needed.allSatisfy({ produced.contains($0) || initializerNames.contains($0) }) else { return nil }
        var copy = self
        copy.model.graph.nodes = kept.reversed()
        copy.model.graph.inputs = [ONNXModel.ValueInfo(name: value)]
        copy.model.graph.outputs = [ONNXModel.ValueInfo(name: output)]
        copy.initializers = initializers.filter { needed.contains($0.name) }
        return copy
    }
}
