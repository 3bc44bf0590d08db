package document

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// ErrPassword is returned by Encrypt for a password a PDF reader could not
// honour: empty (readers open such files without asking) or longer than the
// 127 bytes AES-256 security handlers use.
var ErrPassword = errors.New("document: unusable user password")

// maxPasswordBytes is the AES-256 (revision 5/6) password limit; readers
// silently truncate longer passwords, pdfcpu does not, so they would never
// match.
const maxPasswordBytes = 127

// Encrypt returns pdf encrypted with AES-256 so that a reader asks for
// userPassword before showing anything.
//
// The owner password (which lifts restrictions) is 32 random bytes drawn for
// this document alone and then forgotten, so nobody, the portal included, can
// remove the protection without the user password. Printing and extraction
// for screen readers are allowed; copying and changing are not. Output differs on every call because salts
// and the owner password are random.
func Encrypt(pdf []byte, userPassword string) ([]byte, error) {
	if userPassword == "" || len(userPassword) > maxPasswordBytes {
		return nil, fmt.Errorf("document: encrypt: %w (%d bytes)", ErrPassword, len(userPassword))
	}
	owner := make([]byte, 32)
	if _, err := rand.Read(owner); err != nil {
		return nil, fmt.Errorf("document: encrypt: owner password: %w", err)
	}
	conf := encryptConfig(userPassword, hex.EncodeToString(owner))
	var out bytes.Buffer
	out.Grow(len(pdf) + len(pdf)/8)
	if err := api.Encrypt(bytes.NewReader(pdf), &out, conf); err != nil {
		return nil, fmt.Errorf("document: encrypt: %w", err)
	}
	return out.Bytes(), nil
}

// encryptConfig builds pdfcpu's configuration by hand instead of through
// model.NewAESConfiguration: that constructor creates and then obeys a
// config.yml (plus fonts and certificates) under the process user's config
// directory, a file-system side effect and a way for a stray file to change
// how slips are protected. It also turns off what encrypting our own fresh
// output does not need: strict validation, optimisation passes and object
// streams.
func encryptConfig(userPW, ownerPW string) *model.Configuration {
	return &model.Configuration{
		Version:                   model.VersionStr,
		Reader15:                  true,
		ValidationMode:            model.ValidationRelaxed,
		UnsupportedResourcePolicy: model.UnsupportedResourceSkip,
		Eol:                       types.EolLF,
		WriteObjectStream:         false,
		WriteXRefStream:           false,
		UserPW:                    userPW,
		OwnerPW:                   ownerPW,
		EncryptUsingAES:           true,
		EncryptKeyLength:          256,
		// Printing, plus text extraction for accessibility (screen
		// readers); copying, changing and annotating stay forbidden.
		Permissions:           model.PermissionsPrint | model.PermissionExtractRev3,
		TimestampFormat:       "2006-01-02 15:04",
		DateFormat:            "2006-01-02",
		Optimize:              false,
		OptimizeBeforeWriting: false,
		OptimizeResourceDicts: false,
		Offline:               true,
		Limits:                model.DefaultResourceLimits(),
		Cmd:                   model.ENCRYPT,
	}
}
