global using GoMicro.ServiceDefaults.Data;
global using GoMicro.ServiceDefaults.Grpc;
global using GoMicro.Users.Model;
global using Microsoft.EntityFrameworkCore;
