import Foundation

// ONNX export of the standard layers (opset 13), matching their evaluation-mode forward.

extension Conv2d: ONNXExportable {
    public func exportONNX(_ input: String, into graph: ONNXGraphBuilder, name: String) throws -> String {
        let w = weight.shape
        var inputs = [input, try graph.initializer(name + ".weight", weight)]
        if let bias { inputs.append(try graph.initializer(name + ".bias", bias)) }
        return graph.node("Conv", inputs, [
            .init("kernel_shape", .ints([Int64(w[2]), Int64(w[3])])),
            .init("strides", .ints([Int64(stride.0), Int64(stride.1)])),
            .init("pads", .ints([Int64(padding.0), Int64(padding.1), Int64(padding.0), Int64(padding.1)])),
            .init("dilations", .ints([Int64(dilation.0), Int64(dilation.1)])),
            .init("group", .int(Int64(groups))),
        ], name: name)
    }
}

extension BatchNorm: ONNXExportable {
    /// BatchNormalization with the running statistics ([N, C] or [N, C, H, W] input).
    public func exportONNX(_ input: String, into graph: ONNXGraphBuilder, name: String) throws -> String {
        let c = runningMean.size(0)
        let scale = try graph.initializer(name + ".weight", weight ?? Tensor.ones([c]))
        let shift = try graph.initializer(name + ".bias", bias ?? Tensor.zeros([c]))
        let mean = try graph.initializer(name + ".running_mean", runningMean)
        let variance = try graph.initializer(name + ".running_var", runningVar)
        return graph.node("BatchNormalization", [input, scale, shift, mean, variance],
                          [.init("epsilon", .float(Float(eps)))], name: name)
    }
}

extension InstanceNorm2d: ONNXExportable {
    public func exportONNX(_ input: String, into graph: ONNXGraphBuilder, name: String) throws -> String {
        guard let weight, let bias else {
            throw TorchError.invalidArgument("ONNX export: \(name) is an instance norm without affine weights")
        }
        return graph.node("InstanceNormalization", [input, try graph.initializer(name + ".weight", weight),
                                                    try graph.initializer(name + ".bias", bias)],
                          [.init("epsilon", .float(Float(eps)))], name: name)
    }
}

extension Linear: ONNXExportable {
    public func exportONNX(_ input: String, into graph: ONNXGraphBuilder, name: String) throws -> String {
        var inputs = [input, try graph.initializer(name + ".weight", weight)]
        if let bias { inputs.append(try graph.initializer(name + ".bias", bias)) }
        return graph.node("Gemm", inputs, [.init("transB", .int(1))], name: name)
    }
}

extension Sequential: ONNXExportable {
    public func exportONNX(_ input: String, into graph: ONNXGraphBuilder, name: String) throws -> String {
        var value = input
        for (i, layer) in layers.enumerated() { value = try graph.apply(layer, value, name: "\(name).\(i)") }
        return value
    }
}

extension Lambda: ONNXExportable {
    public func exportONNX(_ input: String, into graph: ONNXGraphBuilder, name: String) throws -> String {
        switch onnxKind {
        case .relu: return graph.node("Relu", [input], name: name + ".relu")
        case .sigmoid: return graph.node("Sigmoid", [input], name: name + ".sigmoid")
        case .identity: return graph.node("Identity", [input], name: name)
        case .relu6:
            let low = try graph.constant(name + ".min", floats: [0], shape: [])
            let high = try graph.constant(name + ".max", floats: [6], shape: [])
            return graph.node("Clip", [input, low, high], name: name + ".relu6")
        case nil:
            throw TorchError.invalidArgument("ONNX export: \(name) is a custom Lambda, which cannot be exported")
        }
    }
}

extension MaxPool2d: ONNXExportable {
    public func exportONNX(_ input: String, into graph: ONNXGraphBuilder, name: String) throws -> String {
        graph.node("MaxPool", [input], [
            .init("kernel_shape", .ints([Int64(kernel), Int64(kernel)])),
            .init("strides", .ints([Int64(stride), Int64(stride)])),
            .init("pads", .ints(Array(repeating: Int64(padding), count: 4))),
            .init("ceil_mode", .int(ceilMode ? 1 : 0)),
        ], name: name)
    }
}

extension AvgPool2d: ONNXExportable {
    public func exportONNX(_ input: String, into graph: ONNXGraphBuilder, name: String) throws -> String {
        graph.node("AveragePool", [input], [
            .init("kernel_shape", .ints([Int64(kernel), Int64(kernel)])),
            .init("strides", .ints([Int64(stride), Int64(stride)])),
            .init("pads", .ints(Array(repeating: Int64(padding), count: 4))),
            .init("ceil_mode", .int(ceilMode ? 1 : 0)),
            .init("count_include_pad", .int(countIncludePad ? 1 : 0)),
        ], name: name)
    }
}

extension AdaptiveAvgPool2d: ONNXExportable {
    public func exportONNX(_ input: String, into graph: ONNXGraphBuilder, name: String) throws -> String {
        guard size == (1, 1) else {
            throw TorchError.invalidArgument("ONNX export: \(name) pools to \(size); only global (1×1) adaptive pooling exports")
        }
        return graph.node("GlobalAveragePool", [input], name: name)
    }
}
