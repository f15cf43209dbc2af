import Foundation

/// The description of an ONNX model without its tensor data: nodes, their attributes, the
/// graph's inputs and outputs and the operator-set versions. It mirrors `onnx.ModelProto`
/// (field for field, as far as SwiftReID needs them) and is `Codable` to and from protobuf's JSON
/// mapping of it, which is how it crosses the C boundary (`ONNXFile`).
///
/// Tensor attributes carry only a reference (`TensorInfo`): the data lives beside the model in
/// `ONNXFile.Contents.attributeTensors` under `TensorInfo.name`.
public struct ONNXModel: Sendable, Equatable {
    public var irVersion: Int64
    public var producerName: String?
    public var producerVersion: String?
    public var opsetImports: [OperatorSetID]
    public var graph: Graph

    /// An operator set a model uses: `domain` "" (or "ai.onnx") is the standard one.
    public struct OperatorSetID: Sendable, Equatable {
        public var domain: String
        public var version: Int64
        public init(domain: String = "", version: Int64) {
            self.domain = domain
            self.version = version
        }
    }

    public struct Graph: Sendable, Equatable {
        public var name: String
        public var nodes: [Node]
        public var inputs: [ValueInfo]
        public var outputs: [ValueInfo]
        public init(name: String = "graph", nodes: [Node], inputs: [ValueInfo], outputs: [ValueInfo]) {
            self.name = name
            self.nodes = nodes
            self.inputs = inputs
            self.outputs = outputs
        }
    }

    /// One operator application. An empty string among `inputs` is an omitted optional input.
    public struct Node: Sendable, Equatable {
        public var name: String
        public var opType: String
        public var domain: String
        public var inputs: [String]
        public var outputs: [String]
        public var attributes: [Attribute]
        public init(_ opType: String, name: String = "", inputs: [String], outputs: [String],
                    attributes: [Attribute] = [], domain: String = "") {
            self.name = name
            self.opType = opType
            self.domain = domain
            self.inputs = inputs
            self.outputs = outputs
            self.attributes = attributes
        }

        public func attribute(_ name: String) -> AttributeValue? {
            attributes.first { $0.name == name }?.value
        }
    }

    public struct Attribute: Sendable, Equatable {
        public var name: String
        public var value: AttributeValue
        public init(_ name: String, _ value: AttributeValue) {
            self.name = name
            self.value = value
        }
    }

    public enum AttributeValue: Sendable, Equatable {
        case float(Float)
        case int(Int64)
        case string(String)
        case tensor(TensorInfo)
        case floats([Float])
        case ints([Int64])
        case strings([String])
        case tensors([TensorInfo])
        /// A kind SwiftReID does not read (graphs, sparse tensors, type protos), by ONNX type name.
        case unsupported(type: String)
    }

    /// A tensor's name, shape and ONNX element type; its data is kept elsewhere.
    public struct TensorInfo: Sendable, Equatable {
        public var name: String
        public var dims: [Int64]
        public var dataType: ElementType
        public init(name: String, dims: [Int64], dataType: ElementType) {
            self.name = name
            self.dims = dims
            self.dataType = dataType
        }
    }

    /// A graph input or output: name, element type and shape (symbolic dimensions by name).
    public struct ValueInfo: Sendable, Equatable {
        public var name: String
        public var elementType: ElementType?
        public var shape: [Dimension]?
        public init(name: String, elementType: ElementType? = .float, shape: [Dimension]? = nil) {
            self.name = name
            self.elementType = elementType
            self.shape = shape
        }
    }

    public enum Dimension: Sendable, Equatable {
        case value(Int64)
        case param(String)
        case unknown
    }

    /// `onnx.TensorProto.DataType` codes.
    public struct ElementType: RawRepresentable, Sendable, Equatable, Hashable, CustomStringConvertible {
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }

        public static let float = ElementType(rawValue: 1)
        public static let uint8 = ElementType(rawValue: 2)
        public static let int8 = ElementType(rawValue: 3)
        public static let int16 = ElementType(rawValue: 5)
        public static let int32 = ElementType(rawValue: 6)
        public static let int64 = ElementType(rawValue: 7)
        public static let bool = ElementType(rawValue: 9)
        public static let float16 = ElementType(rawValue: 10)
        public static let double = ElementType(rawValue: 11)
        public static let bfloat16 = ElementType(rawValue: 16)

        static let pairs: [(ElementType, DType)] = [
            (.float, .float32), (.uint8, .uint8), (.int8, .int8), (.int16, .int16), (.int32, .int32),
            (.int64, .int64), (.bool, .bool), (.float16, .float16), (.double, .float64), (.bfloat16, .bfloat16),
        ]

        /// The libtorch dtype that holds this type, if any.
        public var dtype: DType? { Self.pairs.first { $0.0 == self }?.1 }
        public init(_ dtype: DType) { self = Self.pairs.first { $0.1 == dtype }!.0 }
        public var description: String { dtype.map { "\($0)" } ?? "ONNX type \(rawValue)" }
    }

    public init(graph: Graph, opset: Int64, irVersion: Int64 = 8, producerName: String? = "SwiftReID") {
        self.irVersion = irVersion
        self.producerName = producerName
        self.producerVersion = nil
        self.opsetImports = [OperatorSetID(version: opset)]
        self.graph = graph
    }

    /// The version of the standard operator set the model is written against.
    public var opset: Int64? {
        opsetImports.first { $0.domain.isEmpty || $0.domain == "ai.onnx" }?.version
    }
}
