package payslip

// SetPartDone has fn end each part of s's imports' apply (nil: none).
func SetPartDone(s *Service, fn func() error) { s.partDone = fn }
