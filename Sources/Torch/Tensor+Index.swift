import CTorch

// Gathering, scattering, masking, sorting and distances.

extension Tensor {
    public func indexSelect(dim: Int, index: Tensor) throws -> Tensor {
        try wrap(ct_index_select(handle, Int64(dim), index.handle))
    }
    /// Rows (dim 0) at the given positions.
    public func rows(_ indices: [Int]) throws -> Tensor {
        try indexSelect(dim: 0, index: Tensor(indices.map(Int64.init)).to(device))
    }
    public func gather(dim: Int, index: Tensor) throws -> Tensor { try wrap(ct_gather(handle, Int64(dim), index.handle)) }
    public func scatter(dim: Int, index: Tensor, source: Tensor) throws -> Tensor {
        try wrap(ct_scatter(handle, Int64(dim), index.handle, source.handle))
    }
    public func scatter(dim: Int, index: Tensor, value: Double) throws -> Tensor {
        try wrap(ct_scatter_value(handle, Int64(dim), index.handle, value))
    }
    public func scatterAdd(dim: Int, index: Tensor, source: Tensor) throws -> Tensor {
        try wrap(ct_scatter_add(handle, Int64(dim), index.handle, source.handle))
    }
    public func indexAdd(dim: Int, index: Tensor, source: Tensor) throws -> Tensor {
        try wrap(ct_index_add(handle, Int64(dim), index.handle, source.handle))
    }
    public func maskedFill(_ mask: Tensor, _ value: Double) throws -> Tensor {
        try wrap(ct_masked_fill(handle, mask.handle, value))
    }
    public func maskedSelect(_ mask: Tensor) throws -> Tensor { try wrap(ct_masked_select(handle, mask.handle)) }
    /// Indices of non-zero elements, shape [n, rank].
    public func nonzero() throws -> Tensor { try wrap(ct_nonzero(handle)) }
    public func oneHot(classes: Int) throws -> Tensor { try wrap(ct_one_hot(handle, Int64(classes))) }

    public func topk(_ k: Int, dim: Int = -1, largest: Bool = true, sorted: Bool = true) throws
        -> (values: Tensor, indices: Tensor)
    {
        var v: OpaquePointer?, i: OpaquePointer?
        try check(ct_topk(handle, Int64(k), Int64(dim), largest ? 1 : 0, sorted ? 1 : 0, &v, &i))
        return (Tensor(handle: v!), Tensor(handle: i!))
    }
    /// Stable sort along `dim`.
    public func sort(dim: Int = -1, descending: Bool = false) throws -> (values: Tensor, indices: Tensor) {
        var v: OpaquePointer?, i: OpaquePointer?
        try check(ct_sort(handle, Int64(dim), descending ? 1 : 0, &v, &i))
        return (Tensor(handle: v!), Tensor(handle: i!))
    }
    public func argsort(dim: Int = -1, descending: Bool = false) throws -> Tensor {
        try wrap(ct_argsort(handle, Int64(dim), descending ? 1 : 0))
    }
    /// Pairwise p-norm distances between the rows of two matrices.
    public static func cdist(_ a: Tensor, _ b: Tensor, p: Double = 2) throws -> Tensor {
        try wrap(ct_cdist(a.handle, b.handle, p))
    }
}
