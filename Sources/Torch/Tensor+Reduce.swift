import CTorch

// Reductions. `dims: []` means over every element.

extension Tensor {
    func reduce(_ dims: [Int], _ body: (UnsafePointer<Int64>?, Int32) -> OpaquePointer?) throws -> Tensor {
        let d = dims.map(Int64.init)
        return try d.withUnsafeBufferPointer { try wrap(body($0.baseAddress, Int32(d.count))) }
    }

    public func sum(dims: [Int] = [], keepDim: Bool = false) throws -> Tensor {
        try reduce(dims) { ct_sum(handle, $0, $1, keepDim ? 1 : 0) }
    }
    public func sum(dim: Int, keepDim: Bool = false) throws -> Tensor { try sum(dims: [dim], keepDim: keepDim) }
    public func mean(dims: [Int] = [], keepDim: Bool = false) throws -> Tensor {
        try reduce(dims) { ct_mean(handle, $0, $1, keepDim ? 1 : 0) }
    }
    public func mean(dim: Int, keepDim: Bool = false) throws -> Tensor { try mean(dims: [dim], keepDim: keepDim) }
    public func variance(dims: [Int] = [], unbiased: Bool = true, keepDim: Bool = false) throws -> Tensor {
        try reduce(dims) { ct_var(handle, $0, $1, unbiased ? 1 : 0, keepDim ? 1 : 0) }
    }
    public func std(dims: [Int] = [], unbiased: Bool = true, keepDim: Bool = false) throws -> Tensor {
        try reduce(dims) { ct_std(handle, $0, $1, unbiased ? 1 : 0, keepDim ? 1 : 0) }
    }
    public func norm(p: Double = 2, dims: [Int] = [], keepDim: Bool = false) throws -> Tensor {
        try reduce(dims) { ct_norm(handle, p, $0, $1, keepDim ? 1 : 0) }
    }
    public func logSumExp(dims: [Int], keepDim: Bool = false) throws -> Tensor {
        try reduce(dims) { ct_logsumexp(handle, $0, $1, keepDim ? 1 : 0) }
    }
    public func amax(dims: [Int], keepDim: Bool = false) throws -> Tensor {
        try reduce(dims) { ct_amax(handle, $0, $1, keepDim ? 1 : 0) }
    }
    public func amin(dims: [Int], keepDim: Bool = false) throws -> Tensor {
        try reduce(dims) { ct_amin(handle, $0, $1, keepDim ? 1 : 0) }
    }
    /// Largest value over every element.
    public func max() throws -> Tensor { try amax(dims: Array(0..<rank)) }
    public func min() throws -> Tensor { try amin(dims: Array(0..<rank)) }

    /// Values and indices of the maximum along `dim`.
    public func max(dim: Int, keepDim: Bool = false) throws -> (values: Tensor, indices: Tensor) {
        var v: OpaquePointer?, i: OpaquePointer?
        try check(ct_max_dim(handle, Int64(dim), keepDim ? 1 : 0, &v, &i))
        return (Tensor(handle: v!), Tensor(handle: i!))
    }
    public func min(dim: Int, keepDim: Bool = false) throws -> (values: Tensor, indices: Tensor) {
        var v: OpaquePointer?, i: OpaquePointer?
        try check(ct_min_dim(handle, Int64(dim), keepDim ? 1 : 0, &v, &i))
        return (Tensor(handle: v!), Tensor(handle: i!))
    }
    public func argmax(dim: Int, keepDim: Bool = false) throws -> Tensor {
        try wrap(ct_argmax(handle, Int64(dim), keepDim ? 1 : 0))
    }
    public func argmin(dim: Int, keepDim: Bool = false) throws -> Tensor {
        try wrap(ct_argmin(handle, Int64(dim), keepDim ? 1 : 0))
    }
    public func cumsum(dim: Int) throws -> Tensor { try wrap(ct_cumsum(handle, Int64(dim))) }

    /// Divides by the p-norm along `dim` (like `F.normalize`).
    public func normalized(p: Double = 2, dim: Int = 1, eps: Double = 1e-12) throws -> Tensor {
        try wrap(ct_normalize(handle, p, Int64(dim), eps))
    }
}
