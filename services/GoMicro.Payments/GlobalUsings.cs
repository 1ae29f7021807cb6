global using GoMicro.Payments.Model;
global using GoMicro.ServiceDefaults.Data;
global using GoMicro.ServiceDefaults.Grpc;
global using Microsoft.EntityFrameworkCore;
