import Foundation

// Codable conformance for protobuf's JSON mapping of onnx.ModelProto, with onnx.proto's field
// names. In that mapping 64-bit integers are strings, `bytes` are base64, enums are names and
// non-finite floats are "NaN"/"Infinity"/"-Infinity"; protobuf also accepts plain numbers.

extension ONNXModel: Codable {
    enum CodingKeys: String, CodingKey {
        case irVersion = "ir_version", producerName = "producer_name", producerVersion = "producer_version"
        case opsetImports = "opset_import", graph
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        irVersion = try c.decodeIfPresent(JSONInt64.self, forKey: .irVersion)?.value ?? 0
        producerName = try c.decodeIfPresent(String.self, forKey: .producerName)
        producerVersion = try c.decodeIfPresent(String.self, forKey: .producerVersion)
        opsetImports = try c.decodeIfPresent([OperatorSetID].self, forKey: .opsetImports) ?? []
        graph = try c.decode(Graph.self, forKey: .graph)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(JSONInt64(irVersion), forKey: .irVersion)
        try c.encodeIfPresent(producerName, forKey: .producerName)
        try c.encodeIfPresent(producerVersion, forKey: .producerVersion)
        try c.encode(opsetImports, forKey: .opsetImports)
        try c.encode(graph, forKey: .graph)
    }

    /// Reads the JSON that `ct_onnx_load` produces.
    public static func decode(json: Data) throws -> ONNXModel {
        try JSONDecoder().decode(ONNXModel.self, from: json)
    }

    /// The JSON that `ct_onnx_save` reads.
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return try encoder.encode(self)
    }
}

extension ONNXModel.OperatorSetID: Codable {
    enum CodingKeys: String, CodingKey { case domain, version }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        domain = try c.decodeIfPresent(String.self, forKey: .domain) ?? ""
        version = try c.decodeIfPresent(JSONInt64.self, forKey: .version)?.value ?? 0
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(domain, forKey: .domain)
        try c.encode(JSONInt64(version), forKey: .version)
    }
}

extension ONNXModel.Graph: Codable {
    enum CodingKeys: String, CodingKey { case name, nodes = "node", inputs = "input", outputs = "output" }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decodeIfPresent(String.self, forKey: .name) ?? ""
        nodes = try c.decodeIfPresent([ONNXModel.Node].self, forKey: .nodes) ?? []
        inputs = try c.decodeIfPresent([ONNXModel.ValueInfo].self, forKey: .inputs) ?? []
        outputs = try c.decodeIfPresent([ONNXModel.ValueInfo].self, forKey: .outputs) ?? []
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(nodes, forKey: .nodes)
        try c.encode(inputs, forKey: .inputs)
        try c.encode(outputs, forKey: .outputs)
    }
}

extension ONNXModel.Node: Codable {
    enum CodingKeys: String, CodingKey {
        case name, opType = "op_type", domain, inputs = "input", outputs = "output", attributes = "attribute"
    }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decodeIfPresent(String.self, forKey: .name) ?? ""
        opType = try c.decode(String.self, forKey: .opType)
        domain = try c.decodeIfPresent(String.self, forKey: .domain) ?? ""
        inputs = try c.decodeIfPresent([String].self, forKey: .inputs) ?? []
        outputs = try c.decodeIfPresent([String].self, forKey: .outputs) ?? []
        attributes = try c.decodeIfPresent([ONNXModel.Attribute].self, forKey: .attributes) ?? []
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(opType, forKey: .opType)
        if !domain.isEmpty { try c.encode(domain, forKey: .domain) }
        try c.encode(inputs, forKey: .inputs)
        try c.encode(outputs, forKey: .outputs)
        try c.encode(attributes, forKey: .attributes)
    }
}

extension ONNXModel.Attribute: Codable {
    enum CodingKeys: String, CodingKey { case name, type, f, i, s, t, floats, ints, strings, tensors }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        // Old files may leave `type` out; the field that is present tells it then.
        let present: [(CodingKeys, String)] = [(.f, "FLOAT"), (.i, "INT"), (.s, "STRING"), (.t, "TENSOR"),
                                               (.floats, "FLOATS"), (.ints, "INTS"), (.strings, "STRINGS"),
                                               (.tensors, "TENSORS")]
        let type = try c.decodeIfPresent(String.self, forKey: .type)
            ?? present.first { c.contains($0.0) }?.1 ?? "UNDEFINED"
        func text(_ data: Data) -> String { String(decoding: data, as: UTF8.self) }
        switch type {
        case "FLOAT": value = .float(try c.decodeIfPresent(JSONFloat.self, forKey: .f)?.value ?? 0)
        case "INT": value = .int(try c.decodeIfPresent(JSONInt64.self, forKey: .i)?.value ?? 0)
        case "STRING": value = .string(text(try c.decodeIfPresent(Data.self, forKey: .s) ?? Data()))
        case "TENSOR": value = .tensor(try c.decode(ONNXModel.TensorInfo.self, forKey: .t))
        case "FLOATS": value = .floats((try c.decodeIfPresent([JSONFloat].self, forKey: .floats) ?? []).map(\.value))
        case "INTS": value = .ints((try c.decodeIfPresent([JSONInt64].self, forKey: .ints) ?? []).map(\.value))
        case "STRINGS": value = .strings((try c.decodeIfPresent([Data].self, forKey: .strings) ?? []).map(text))
        case "TENSORS": value = .tensors(try c.decodeIfPresent([ONNXModel.TensorInfo].self, forKey: .tensors) ?? [])
        default: value = .unsupported(type: type)
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        switch value {
        case .float(let v): try c.encode("FLOAT", forKey: .type); try c.encode(v, forKey: .f)
        case .int(let v): try c.encode("INT", forKey: .type); try c.encode(JSONInt64(v), forKey: .i)
        case .string(let v): try c.encode("STRING", forKey: .type); try c.encode(Data(v.utf8), forKey: .s)
        case .tensor(let v): try c.encode("TENSOR", forKey: .type); try c.encode(v, forKey: .t)
        case .floats(let v): try c.encode("FLOATS", forKey: .type); try c.encode(v, forKey: .floats)
        case .ints(let v): try c.encode("INTS", forKey: .type); try c.encode(v.map(JSONInt64.init), forKey: .ints)
        case .strings(let v): try c.encode("STRINGS", forKey: .type); try c.encode(v.map { Data($0.utf8) }, forKey: .strings)
        case .tensors(let v): try c.encode("TENSORS", forKey: .type); try c.encode(v, forKey: .tensors)
        case .unsupported(let type):
            throw EncodingError.invalidValue(value, .init(codingPath: c.codingPath,
                debugDescription: "attribute '\(name)' of ONNX type \(type) cannot be written"))
        }
    }
}

extension ONNXModel.TensorInfo: Codable {
    enum CodingKeys: String, CodingKey { case name, dims, dataType = "data_type" }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decodeIfPresent(String.self, forKey: .name) ?? ""
        dims = (try c.decodeIfPresent([JSONInt64].self, forKey: .dims) ?? []).map(\.value)
        dataType = ONNXModel.ElementType(rawValue: try c.decodeIfPresent(Int32.self, forKey: .dataType) ?? 0)
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(dims.map(JSONInt64.init), forKey: .dims)
        try c.encode(dataType.rawValue, forKey: .dataType)
    }
}

/// `{"name": …, "type": {"tensor_type": {"elem_type": 1, "shape": {"dim": [{"dim_value": "3"}, …]}}}}`
extension ONNXModel.ValueInfo: Codable {
    enum CodingKeys: String, CodingKey { case name, type }
    enum TypeKeys: String, CodingKey { case tensorType = "tensor_type" }
    enum TensorKeys: String, CodingKey { case elemType = "elem_type", shape }
    enum ShapeKeys: String, CodingKey { case dim }
    enum DimKeys: String, CodingKey { case dimValue = "dim_value", dimParam = "dim_param" }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        elementType = nil
        shape = nil
        guard c.contains(.type) else { return }
        let type = try c.nestedContainer(keyedBy: TypeKeys.self, forKey: .type)
        guard type.contains(.tensorType) else { return }
        let tensor = try type.nestedContainer(keyedBy: TensorKeys.self, forKey: .tensorType)
        elementType = try tensor.decodeIfPresent(Int32.self, forKey: .elemType).map(ONNXModel.ElementType.init(rawValue:))
        guard tensor.contains(.shape) else { return }
        let shapeContainer = try tensor.nestedContainer(keyedBy: ShapeKeys.self, forKey: .shape)
        guard shapeContainer.contains(.dim) else { shape = []; return }
        var dims = try shapeContainer.nestedUnkeyedContainer(forKey: .dim)
        var out: [ONNXModel.Dimension] = []
        while !dims.isAtEnd {
            let d = try dims.nestedContainer(keyedBy: DimKeys.self)
            if let v = try d.decodeIfPresent(JSONInt64.self, forKey: .dimValue) {
                out.append(.value(v.value))
            } else if let p = try d.decodeIfPresent(String.self, forKey: .dimParam) {
                out.append(.param(p))
            } else {
                out.append(.unknown)
            }
        }
        shape = out
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        guard elementType != nil || shape != nil else { return }
        var type = c.nestedContainer(keyedBy: TypeKeys.self, forKey: .type)
        var tensor = type.nestedContainer(keyedBy: TensorKeys.self, forKey: .tensorType)
        try tensor.encodeIfPresent(elementType?.rawValue, forKey: .elemType)
        guard let shape else { return }
        var shapeContainer = tensor.nestedContainer(keyedBy: ShapeKeys.self, forKey: .shape)
        var dims = shapeContainer.nestedUnkeyedContainer(forKey: .dim)
        for dim in shape {
            var d = dims.nestedContainer(keyedBy: DimKeys.self)
            switch dim {
            case .value(let v): try d.encode(JSONInt64(v), forKey: .dimValue)
            case .param(let p): try d.encode(p, forKey: .dimParam)
            case .unknown: break
            }
        }
    }
}

/// A 64-bit integer that protobuf's JSON writes as a string; read from a string or a number.
struct JSONInt64: Codable {
    let value: Int64
    init(_ value: Int64) { self.value = value }
    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let text = try? c.decode(String.self) {
            guard let v = Int64(text) else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "'\(text)' is not a 64-bit integer")
            }
            value = v
        } else {
            value = try c.decode(Int64.self)
        }
    }
    func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(String(value))
    }
}

/// A float that may arrive as "NaN", "Infinity" or "-Infinity".
struct JSONFloat: Decodable {
    let value: Float
    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let text = try? c.decode(String.self) {
            switch text {
            case "NaN": value = .nan
            case "Infinity": value = .infinity
            case "-Infinity": value = -.infinity
            default:
                guard let v = Float(text) else {
                    throw DecodingError.dataCorruptedError(in: c, debugDescription: "'\(text)' is not a float")
                }
                value = v
            }
        } else {
            value = try c.decode(Float.self)
        }
    }
}
