package remote

// Object is one listed object.
type Object struct {
	Bucket string
	Key    string
	Size   int64 // bytes as stored (the compressed size for .gz and .zst)
}

// URI returns "s3://bucket/key".
func (o Object) URI() string { return Scheme + o.Bucket + "/" + o.Key }
