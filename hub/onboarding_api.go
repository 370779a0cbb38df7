package hub

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
)

// maxOnboardingBytes bounds an onboarding call's body (a certificate is a few kilobytes).
const maxOnboardingBytes = 64 << 10

func (s *Server) onboardingRoutes(mux *http.ServeMux) {
	o := s.Onboarding
	mux.HandleFunc("POST /v1/signup", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Email string `json:"email"`
		}
		if s.decode(w, r, &req) {
			code, err := o.sendCode(r.Context(), req.Email)
			if err != nil {
				s.fail(w, statusOf(err), err)
				return
			}
			if !o.ShowCode {
				code = "" // it went by mail only
			}
			s.reply(w, signUpReply{Code: code})
		}
	})
	mux.HandleFunc("POST /v1/confirm", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Email string `json:"email"`
			Code  string `json:"code"`
		}
		if s.decode(w, r, &req) {
			org, secret, err := o.Confirm(r.Context(), req.Email, req.Code)
			if err != nil {
				s.fail(w, statusOf(err), err)
				return
			}
			s.reply(w, map[string]any{"organization": org.ID, "credential": secret})
		}
	})
	mux.HandleFunc("POST /v1/challenge", s.asOwner(func(w http.ResponseWriter, r *http.Request, p Principal) {
		c, err := o.Challenge(r.Context(), p.OrganizationID)
		if err != nil {
			s.fail(w, statusOf(err), err)
			return
		}
		s.reply(w, map[string][]byte{"challenge": c})
	}))
	mux.HandleFunc("POST /v1/bind", s.asOwner(func(w http.ResponseWriter, r *http.Request, p Principal) {
		var req BindRequest
		if s.decode(w, r, &req) {
			iinBin, err := o.Bind(r.Context(), p.OrganizationID, req)
			if err != nil {
				s.fail(w, statusOf(err), err)
				return
			}
			s.reply(w, map[string]string{"iin_bin": iinBin})
		}
	}))
	mux.HandleFunc("GET /v1/organization", s.asOwner(func(w http.ResponseWriter, r *http.Request, p Principal) {
		info, err := o.Organization(r.Context(), p.OrganizationID)
		if err != nil {
			s.fail(w, statusOf(err), err)
			return
		}
		s.reply(w, info)
	}))
	mux.HandleFunc("GET /v1/trade-points", s.asOwner(func(w http.ResponseWriter, r *http.Request, p Principal) {
		tps, err := o.TradePoints(r.Context(), p.OrganizationID)
		if err != nil {
			s.fail(w, statusOf(err), err)
			return
		}
		s.reply(w, nonNil(tps))
	}))
	mux.HandleFunc("GET /v1/applications", s.asOwner(func(w http.ResponseWriter, r *http.Request, p Principal) {
		apps, err := o.Applications(r.Context(), p.OrganizationID)
		if err != nil {
			s.fail(w, statusOf(err), err)
			return
		}
		s.reply(w, nonNil(apps))
	}))
	mux.HandleFunc("POST /v1/trade-points", s.asOwner(func(w http.ResponseWriter, r *http.Request, p Principal) {
		var tp TradePoint
		if s.decode(w, r, &tp) {
			tp, err := o.AddTradePoint(r.Context(), p.OrganizationID, tp)
			if err != nil {
				s.fail(w, statusOf(err), err)
				return
			}
			s.reply(w, tp)
		}
	}))
	mux.HandleFunc("POST /v1/applications", s.asOwner(func(w http.ResponseWriter, r *http.Request, p Principal) {
		var a RegisterApplication
		if s.decode(w, r, &a) {
			reg, secret, app, err := o.ApplyRegister(r.Context(), p.OrganizationID, a)
			if err != nil {
				s.fail(w, statusOf(err), err)
				return
			}
			s.reply(w, map[string]any{"register": reg, "credential": secret, "application": app})
		}
	}))
	mux.HandleFunc("GET /v1/applications/{id}", s.asOwner(func(w http.ResponseWriter, r *http.Request, p Principal) {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil {
			s.fail(w, http.StatusBadRequest, errors.Join(ErrMalformed, err))
			return
		}
		app, err := o.Refresh(r.Context(), p.OrganizationID, id)
		if err != nil {
			s.fail(w, statusOf(err), err)
			return
		}
		s.reply(w, app)
	}))
}

// signUpReply is the sign-up's answer: the code only in demo mode.
type signUpReply struct {
	Code string `json:"code,omitempty"`
}

// nonNil answers an empty list as [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// decode reads a JSON body, or answers 400 and returns false.
func (s *Server) decode(w http.ResponseWriter, r *http.Request, v any) bool {
	return s.decodeLimit(w, r, v, maxOnboardingBytes)
}

// decodeLimit reads a JSON body of at most limit bytes, or answers 400 and returns false.
func (s *Server) decodeLimit(w http.ResponseWriter, r *http.Request, v any, limit int64) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		s.fail(w, http.StatusBadRequest, errors.Join(ErrMalformed, err))
		return false
	}
	return true
}
