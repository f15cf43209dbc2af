import CTorch

// Elementwise maths with broadcasting. Every operator throws libtorch's message on a shape or
// dtype mismatch instead of trapping, so bad input never crashes the process.

extension Tensor {
    func unary(_ op: ct_unary_op) throws -> Tensor { try wrap(ct_unary(Int32(op.rawValue), handle)) }
    func binary(_ op: ct_binary_op, _ other: Tensor) throws -> Tensor {
        try wrap(ct_binary(Int32(op.rawValue), handle, other.handle))
    }
    func binary(_ op: ct_binary_op, _ value: Double) throws -> Tensor {
        try wrap(ct_binary_scalar(Int32(op.rawValue), handle, value))
    }

    public func neg() throws -> Tensor { try unary(CT_NEG) }
    public func exp() throws -> Tensor { try unary(CT_EXP) }
    public func log() throws -> Tensor { try unary(CT_LOG) }
    public func log1p() throws -> Tensor { try unary(CT_LOG1P) }
    public func sqrt() throws -> Tensor { try unary(CT_SQRT) }
    public func rsqrt() throws -> Tensor { try unary(CT_RSQRT) }
    public func abs() throws -> Tensor { try unary(CT_ABS) }
    public func relu() throws -> Tensor { try unary(CT_RELU) }
    /// min(max(x, 0), 6). libtorch's hardtanh, which it fuses into oneDNN convolutions, has no
    /// bfloat16 backward on the CPU in 1.13; clamp computes the same values and has one (bf16 autocast).
    public func relu6() throws -> Tensor { dtype == .bfloat16 ? try clamp(min: 0, max: 6) : try unary(CT_RELU6) }
    public func sigmoid() throws -> Tensor { try unary(CT_SIGMOID) }
    public func tanh() throws -> Tensor { try unary(CT_TANH) }
    public func sign() throws -> Tensor { try unary(CT_SIGN) }
    public func floor() throws -> Tensor { try unary(CT_FLOOR) }
    public func ceil() throws -> Tensor { try unary(CT_CEIL) }
    public func round() throws -> Tensor { try unary(CT_ROUND) }
    public func square() throws -> Tensor { try unary(CT_SQUARE) }
    public func reciprocal() throws -> Tensor { try unary(CT_RECIPROCAL) }
    public func logicalNot() throws -> Tensor { try unary(CT_LOGICAL_NOT) }
    public func sin() throws -> Tensor { try unary(CT_SIN) }
    public func cos() throws -> Tensor { try unary(CT_COS) }
    public func softplus() throws -> Tensor { try unary(CT_SOFTPLUS) }
    public func gelu() throws -> Tensor { try unary(CT_GELU) }
    public func hardswish() throws -> Tensor { try unary(CT_HARDSWISH) }
    public func hardsigmoid() throws -> Tensor { try unary(CT_HARDSIGMOID) }
    public func silu() throws -> Tensor { try unary(CT_SILU) }
    public func isFinite() throws -> Tensor { try unary(CT_ISFINITE) }
    public func leakyRelu(_ slope: Double = 0.01) throws -> Tensor { try wrap(ct_leaky_relu(handle, slope)) }

    public func pow(_ exponent: Double) throws -> Tensor { try binary(CT_POW, exponent) }
    public func pow(_ exponent: Tensor) throws -> Tensor { try binary(CT_POW, exponent) }
    public func maximum(_ other: Tensor) throws -> Tensor { try binary(CT_MAXIMUM, other) }
    public func minimum(_ other: Tensor) throws -> Tensor { try binary(CT_MINIMUM, other) }
    public func clamp(min: Double? = nil, max: Double? = nil) throws -> Tensor {
        try wrap(ct_clamp(handle, min ?? 0, max ?? 0, min == nil ? 0 : 1, max == nil ? 0 : 1))
    }
    public func remainder(_ value: Double) throws -> Tensor { try binary(CT_REMAINDER, value) }
    public func matmul(_ other: Tensor) throws -> Tensor { try binary(CT_MATMUL, other) }

    // Comparisons give bool tensors (named methods: `==` stays object identity-free Equatable).
    public func eq(_ o: Tensor) throws -> Tensor { try binary(CT_EQ, o) }
    public func ne(_ o: Tensor) throws -> Tensor { try binary(CT_NE, o) }
    public func lt(_ o: Tensor) throws -> Tensor { try binary(CT_LT, o) }
    public func le(_ o: Tensor) throws -> Tensor { try binary(CT_LE, o) }
    public func gt(_ o: Tensor) throws -> Tensor { try binary(CT_GT, o) }
    public func ge(_ o: Tensor) throws -> Tensor { try binary(CT_GE, o) }
    public func eq(_ v: Double) throws -> Tensor { try binary(CT_EQ, v) }
    public func ne(_ v: Double) throws -> Tensor { try binary(CT_NE, v) }
    public func lt(_ v: Double) throws -> Tensor { try binary(CT_LT, v) }
    public func le(_ v: Double) throws -> Tensor { try binary(CT_LE, v) }
    public func gt(_ v: Double) throws -> Tensor { try binary(CT_GT, v) }
    public func ge(_ v: Double) throws -> Tensor { try binary(CT_GE, v) }
    public func logicalAnd(_ o: Tensor) throws -> Tensor { try binary(CT_LOGICAL_AND, o) }
    public func logicalOr(_ o: Tensor) throws -> Tensor { try binary(CT_LOGICAL_OR, o) }

    public func softmax(dim: Int) throws -> Tensor { try wrap(ct_softmax(handle, Int64(dim))) }
    public func logSoftmax(dim: Int) throws -> Tensor { try wrap(ct_log_softmax(handle, Int64(dim))) }

    /// `cond ? a : b` elementwise.
    public static func `where`(_ cond: Tensor, _ a: Tensor, _ b: Tensor) throws -> Tensor {
        try wrap(ct_where(cond.handle, a.handle, b.handle))
    }

    /// beta * self + alpha * (a @ b), one fused BLAS call.
    public func addmm(_ a: Tensor, _ b: Tensor, beta: Double = 1, alpha: Double = 1) throws -> Tensor {
        try wrap(ct_addmm(handle, a.handle, b.handle, beta, alpha))
    }

    // MARK: in place (initialisation and manual parameter updates; call under `withNoGrad`)

    public func copy_(_ source: Tensor) throws { try check(ct_copy_(handle, source.handle)) }
    public func fill_(_ value: Double) throws { try check(ct_fill_(handle, value)) }
    public func zero_() throws { try check(ct_zero_(handle)) }
    public func uniform_(_ low: Double, _ high: Double) throws { try check(ct_uniform_(handle, low, high)) }
    public func normal_(mean: Double = 0, std: Double = 1) throws { try check(ct_normal_(handle, mean, std)) }
    public func add_(_ other: Tensor, alpha: Double = 1) throws { try check(ct_add_(handle, other.handle, alpha)) }
    public func mul_(_ value: Double) throws { try check(ct_mul_scalar_(handle, value)) }
    public func kaimingNormal_(a: Double = 0, fanOut: Bool = false, relu: Bool = true) throws {
        try check(ct_kaiming_normal_(handle, a, fanOut ? 1 : 0, relu ? 1 : 0))
    }
    public func kaimingUniform_(a: Double = 0, fanOut: Bool = false, relu: Bool = true) throws {
        try check(ct_kaiming_uniform_(handle, a, fanOut ? 1 : 0, relu ? 1 : 0))
    }
}

public func + (a: Tensor, b: Tensor) throws -> Tensor { try a.binary(CT_ADD, b) }
public func - (a: Tensor, b: Tensor) throws -> Tensor { try a.binary(CT_SUB, b) }
public func * (a: Tensor, b: Tensor) throws -> Tensor { try a.binary(CT_MUL, b) }
public func / (a: Tensor, b: Tensor) throws -> Tensor { try a.binary(CT_DIV, b) }
public func + (a: Tensor, b: Double) throws -> Tensor { try a.binary(CT_ADD, b) }
public func - (a: Tensor, b: Double) throws -> Tensor { try a.binary(CT_SUB, b) }
public func * (a: Tensor, b: Double) throws -> Tensor { try a.binary(CT_MUL, b) }
public func / (a: Tensor, b: Double) throws -> Tensor { try a.binary(CT_DIV, b) }
public func + (a: Double, b: Tensor) throws -> Tensor { try b.binary(CT_ADD, a) }
public func - (a: Double, b: Tensor) throws -> Tensor { try wrap(ct_rsub_scalar(a, b.handle)) }
public func * (a: Double, b: Tensor) throws -> Tensor { try b.binary(CT_MUL, a) }
public func / (a: Double, b: Tensor) throws -> Tensor { try wrap(ct_rdiv_scalar(a, b.handle)) }
public prefix func - (a: Tensor) throws -> Tensor { try a.neg() }
